// A 1 MiB body (the default webhook limit; brokers take more) holds ~80k
// attributes. Refusing one whose attributes are all invalid listed every
// problem, deduplicated by a quadratic scan: 50k bad values held the host's
// only thread for ~12 s and made a 6 MB error message (answered, logged and
// kept in the DLQ). The refusal now names the first problems and says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { toEnvelope, validateEnvelope } from '../../src/envelope/index.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const COUNT = 80_000;

function refusal(run: () => unknown): PlexusError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof PlexusError);
    assert.equal(err.code, 'PLEXUS_INVALID_EVENT');
    return err;
  }
  assert.fail('expected a refusal');
}

function withAttributes(make: (i: number) => [string, unknown]): Record<string, unknown> {
  const event: Record<string, unknown> = { specversion: '1.0', id: '1', source: 'amqp/orders', type: 'orders.created' };
  for (let i = 0; i < COUNT; i++) {
    const [name, value] = make(i);
    event[name] = value;
  }
  return event;
}

for (const [label, make] of [
  ['non-integer extension values', (i: number): [string, unknown] => [`x${i}`, 1.5]],
  ['invalid attribute names', (i: number): [string, unknown] => [`X${i}`, 1.5]],
] as const) {
  test(`${COUNT} ${label}: refused in well under a second of work, naming only the first problems`, () => {
    const event = withAttributes(make);
    const started = performance.now();
    const err = refusal(() => toEnvelope(event as never, { source: 'amqp/orders', type: 'orders.created', now: Date.now() }));
    const elapsed = performance.now() - started;
    const problems = (err.details?.problems ?? []) as unknown[];
    assert.ok(problems.length > 0 && problems.length <= 20, `${problems.length} problems listed`);
    assert.ok(err.message.length < 4096, `message of ${err.message.length} characters`);
    assert.match(err.message, /only the first 20 problems are listed/);
    // Before: ~12 s for 50k; linear work is ~0.2 s here. Generous for a loaded machine.
    assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
  });
}

test('a refusal with few problems still lists every one of them, without the note', () => {
  const err = refusal(() => validateEnvelope({ specversion: '1.0', id: '', source: 'a', type: 'a..b', priority: 12, Bad: 1 }));
  const paths = ((err.details?.problems ?? []) as { path: string }[]).map((p) => p.path);
  for (const path of ['Bad', 'id', 'type', 'priority']) assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
  assert.doesNotMatch(err.message, /only the first/);
  assertInvalidEvent(() => validateEnvelope({ specversion: '1.0', id: '1', source: 'a', type: 'a', priority: 12 }), 'priority');
});
