import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childTraceparent, parseTraceparent } from '../../src/envelope/index.ts';
import { seededRandom } from '../router/seeded-random.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function seededBytes(seed: number): (size: number) => Uint8Array {
  const random = seededRandom(seed);
  return (size) => Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
}

test('an emitted event continues the trace: same trace id and flags, a new parent id', () => {
  const child = childTraceparent(PARENT, seededBytes(1));
  const parsed = parseTraceparent(child);
  assert.ok(parsed);
  assert.equal(parsed.version, '00');
  assert.equal(parsed.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(parsed.flags, '01');
  assert.notEqual(parsed.parentId, '00f067aa0ba902b7');
});

test('siblings get distinct parent ids', () => {
  const bytes = seededBytes(2);
  const ids = new Set(Array.from({ length: 100 }, () => parseTraceparent(childTraceparent(PARENT, bytes))?.parentId));
  assert.equal(ids.size, 100);
});

test('a zero draw still yields a valid (non-zero) parent id', () => {
  const child = childTraceparent(PARENT, (size) => new Uint8Array(size));
  assert.ok(parseTraceparent(child));
});

test('a child of a future-version parent is written as version 00', () => {
  const child = childTraceparent('02-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-more', seededBytes(3));
  assert.match(child ?? '', /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
});

test('without a valid parent traceparent there is no trace to continue', () => {
  assert.equal(childTraceparent(undefined), undefined);
  assert.equal(childTraceparent('nonsense'), undefined);
});

test('the default source of randomness is crypto', () => {
  assert.ok(parseTraceparent(childTraceparent(PARENT)));
});
