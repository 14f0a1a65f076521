// Deliveries held behind a busy partition key live in memory like queued
// ones: backpressure (maxQueued) must count them, or one hot key whose owner
// keeps failing lets ingress pile up everything it sends. Counting them must
// not deadlock either: while the key's owner waits a long backoff, room made
// by other deliveries still lets a waiting accept() go on.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { failAll, latch, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

const MAX_QUEUED = 10;
const fixture = new SqliteEngineFixture({ maxQueued: MAX_QUEUED });
after(() => fixture.close());

test('deliveries waiting behind a partition key hold accept() back, which goes on when room frees though the key waits 60 s', { timeout: 10_000 }, async () => {
  const seen: string[] = [];
  const coldRunning = latch();
  const releaseCold = latch();
  fixture.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    const names = events.map(nameOf);
    seen.push(...names);
    if (names.some((n) => n.startsWith('hot'))) return failAll(events);
    if (names.includes('cold#1')) {
      coldRunning.open();
      await releaseCold.promise;
    }
    return succeed(events);
  }, { retry: { maxRetries: 3, initialDelayMs: 60_000, multiplier: 1, maxDelayMs: 60_000 } })]);

  // hot#1 owns the key and waits 60 s for its retry (held in memory too: retry-waits.ts); the other eight wait behind it.
  await fixture.engine.accept(Array.from({ length: MAX_QUEUED - 1 }, (_, i) => namedEvent(`hot#${i + 1}`, { partitionkey: 'hot' })));
  await until(() => fixture.engine.depth.retrying === 1, 'hot#1 is scheduled for its retry');
  assert.equal(fixture.engine.depth.queued, MAX_QUEUED - 2, 'the deliveries behind the key are counted as queued');
  assert.equal(fixture.engine.laneStates()[0]?.queued, MAX_QUEUED - 2, 'and in the per-plugin queue depth');

  // cold#1 runs (and is held there), cold#2 queues: with hot#1's retry, ten held in memory, as many as maxQueued allows.
  await fixture.engine.accept([namedEvent('cold#1'), namedEvent('cold#2')]);
  await coldRunning.promise;
  assert.equal(fixture.engine.depth.queued + fixture.engine.depth.retrying, MAX_QUEUED);
  let acceptedThird = false;
  const third = fixture.engine.accept([namedEvent('cold#3')]).then(() => (acceptedThird = true));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(acceptedThird, false, 'accept() waits while maxQueued deliveries are held, gate included');

  // cold#1 ends and cold#2 leaves the queue for the plugin: room for cold#3, the hot key still 60 s from its retry.
  releaseCold.open();
  await third;
  await until(() => seen.includes('cold#3'), 'cold#3 reached the plugin');
  assert.deepEqual(seen.filter((n) => n.startsWith('hot')), ['hot#1'], 'nothing overtook the retrying owner of the hot key');
  assert.equal(fixture.engine.depth.queued, MAX_QUEUED - 2);
  assert.deepEqual(fixture.errors, []);
});
