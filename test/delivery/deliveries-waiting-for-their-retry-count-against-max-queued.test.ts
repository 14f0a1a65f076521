// A delivery waiting for its retry time is held in memory with its event,
// like a queued one. Uncounted, a plugin failing part of a steady stream
// (too little to open its circuit) let ingress go on at full speed while
// rate x failure share x backoff deliveries piled up in memory, past
// delivery.maxQueued. Counted, they hold accept() back until their retries
// have run, and no longer.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { CLEAN_OK, failure, type RunResult } from '@plexus/plugin-sdk/runtime';
import { namedEvent, nameOf, SqliteEngineFixture, testPlugin, until } from './sqlite-engine-fixture.ts';

const MAX_QUEUED = 5;
const RETRY_MS = 400;
const fixture = new SqliteEngineFixture({ maxQueued: MAX_QUEUED });
after(() => fixture.close());

test('deliveries waiting for their retry time hold accept() back until their retries ran', { timeout: 10_000 }, async () => {
  const attempts = new Map<string, number>();
  // The first attempt of every event fails, the second succeeds.
  fixture.engine.setPlugins([testPlugin('flaky', async (events: readonly PlexusEvent[]): Promise<RunResult> => {
    const outcomes = events.map((event) => {
      const n = (attempts.get(nameOf(event)) ?? 0) + 1;
      attempts.set(nameOf(event), n);
      return n === 1 ? failure({ name: 'Error', message: 'flaky' }) : CLEAN_OK;
    });
    return { outcomes, restarts: [], denials: [], instanceLogs: [] };
  }, { batchSize: MAX_QUEUED, retry: { maxRetries: 3, initialDelayMs: RETRY_MS, multiplier: 1, maxDelayMs: RETRY_MS } })]);

  await fixture.engine.accept(Array.from({ length: MAX_QUEUED }, (_, i) => namedEvent(`e${i + 1}`)));
  await until(() => fixture.engine.depth.retrying === MAX_QUEUED, 'every event waits for its retry');
  assert.equal(fixture.engine.depth.queued, 0);

  // Nothing is queued, but maxQueued deliveries are held: an accept that may wait 100 ms is refused.
  await assert.rejects(fixture.engine.accept([namedEvent('late')], undefined, undefined, 100), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PLEXUS_UNAVAILABLE');
    assert.match(err.message, /maxQueued \(5\)/);
    return true;
  });
  assert.equal(attempts.has('late'), false);

  // One that may wait goes on once a retry ran and its room came back. (The five share one retry
  // time, but each wait is set from the clocks as it is scheduled: they can come due a millisecond
  // apart, and the first to run frees the room the patient accept needs.)
  const startedAt = performance.now();
  await fixture.engine.accept([namedEvent('patient')]);
  const retried = Array.from({ length: MAX_QUEUED }, (_, i) => attempts.get(`e${i + 1}`));
  assert.ok(retried.some((n) => n === 2), `room came back only once a retry had run: attempts ${JSON.stringify(retried)}`);
  await until(() => attempts.get('patient') === 2 && [...attempts.values()].every((n) => n === 2), 'every event ran twice');
  assert.ok(performance.now() - startedAt < RETRY_MS * 5, 'accept() waited for the retries, not longer');
  assert.equal(fixture.engine.depth.retrying, 0);
  assert.deepEqual(fixture.errors, []);
});

test('retries recovered from the store after a restart count too', { timeout: 10_000 }, async () => {
  const restarted = new SqliteEngineFixture({ maxQueued: MAX_QUEUED });
  try {
    const failing = testPlugin('failing', async (events: readonly PlexusEvent[]): Promise<RunResult> => ({ outcomes: events.map(() => failure({ name: 'Error', message: 'down' })), restarts: [], denials: [], instanceLogs: [] }), { batchSize: MAX_QUEUED, retry: { maxRetries: 3, initialDelayMs: 60_000, multiplier: 1, maxDelayMs: 60_000 } });
    restarted.engine.setPlugins([failing]);
    await restarted.engine.accept(Array.from({ length: MAX_QUEUED }, (_, i) => namedEvent(`r${i + 1}`)));
    await until(() => restarted.engine.depth.retrying === MAX_QUEUED, 'every event waits for its retry');
    await restarted.restart();
    restarted.engine.setPlugins([failing]);
    await restarted.engine.recover();
    assert.equal(restarted.engine.depth.retrying, MAX_QUEUED, 'the restarted engine waits for the same retry times');
    assert.equal(restarted.engine.depth.held, MAX_QUEUED);
    await assert.rejects(restarted.engine.accept([namedEvent('late')], undefined, undefined, 100), { code: 'PLEXUS_UNAVAILABLE' });
    assert.deepEqual(restarted.errors, []);
  } finally {
    await restarted.close();
  }
});
