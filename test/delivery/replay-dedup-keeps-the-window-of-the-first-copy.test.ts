// Within a journal replay, copies of one idempotencykey are duplicates only
// while the first replayed copy's dedup window lasts, per plugin, as they
// were at ingress (CONTRACT §5); a window of 0 turns dedup off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayDeliveries, type ReplayClaims } from '../../src/delivery/replay-dedup.ts';

const both = [{ id: 'd-a', plugin: 'a' }, { id: 'd-b', plugin: 'b' }];
const plugins = (kept: readonly { plugin: string }[]) => kept.map((d) => d.plugin);

test('a copy inside the first copy\'s window is a duplicate for the plugins it was delivered to, not for others', () => {
  const claims: ReplayClaims = new Map();
  assert.deepEqual(plugins(replayDeliveries(claims, { idempotencykey: 'k' }, 1000, both.slice(0, 1), 500)), ['a']);
  assert.deepEqual(plugins(replayDeliveries(claims, { idempotencykey: 'k' }, 1499, both, 500)), ['b']);
  assert.deepEqual(plugins(replayDeliveries(claims, { idempotencykey: 'k' }, 1500, both, 500)), ['a'], 'a\'s window ended at 1500; b\'s runs to 1999');
});

test('keys differing in case or Unicode normalization are distinct; events without a key are never duplicates', () => {
  const claims: ReplayClaims = new Map();
  for (const key of ['Key', 'key', 'caf\u00e9', 'cafe\u0301']) assert.deepEqual(plugins(replayDeliveries(claims, { idempotencykey: key }, 1000, both, 500)), ['a', 'b'], key);
  assert.deepEqual(plugins(replayDeliveries(claims, {}, 1000, both, 500)), ['a', 'b']);
  assert.deepEqual(plugins(replayDeliveries(claims, {}, 1000, both, 500)), ['a', 'b']);
});

test('a window of 0 delivers every copy', () => {
  const claims: ReplayClaims = new Map();
  assert.equal(replayDeliveries(claims, { idempotencykey: 'k' }, 1000, both, 0).length, 2);
  assert.equal(replayDeliveries(claims, { idempotencykey: 'k' }, 1000, both, 0).length, 2);
});
