// Aging bounds how long a low priority waits: a priority-0 delivery is
// overtaken by at most maxOvertakes(0) later arrivals (priority-scheduler.ts).
// A rate limit charges priority 0 the most tokens; when the bucket could not
// pay for it at the head of the queue, it was pushed back as a newcomer, its
// aging lost, and the cheaper priority-9 deliveries ahead of it again took
// the refilled tokens each time it came round: served last, and never while
// higher priorities keep coming. It must keep its place and wait for its tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { PluginLane, type QueuedDelivery } from '../../src/delivery/plugin-lane.ts';
import { PriorityScheduler } from '../../src/delivery/priority-scheduler.ts';
import { namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

const HIGHS = 300;
const bound = new PriorityScheduler().maxOvertakes(0);
const rateLimit = { ratePerSecond: 500, burst: 4 };
const events = (): PlexusEvent[] => [namedEvent('low', { priority: 0 }), ...Array.from({ length: HIGHS }, (_, i) => namedEvent(`high-${i}`, { priority: 9 }))];

test('the lane serves a rate-limited priority-0 delivery within its aging bound', () => {
  const plugin = testPlugin('limited', async () => succeed([]), { batchSize: 8, rateLimit });
  let now = 1_000_000;
  const lane = new PluginLane(plugin, now);
  for (const [i, event] of events().entries()) lane.enqueue({ record: { id: `d${i}`, seq: i, plugin: plugin.name, event, attempt: 0, availableAt: 0, acceptedAt: 0 }, admitted: false }, now);
  const order: string[] = [];
  while (lane.queued > 0) {
    const taken = lane.take(now);
    order.push(...taken.batch.map((d: QueuedDelivery) => nameOf(d.record.event)));
    if (taken.permit) lane.inFlight--;
    now = Math.max(now + 1, taken.wakeAt ?? 0);
  }
  assert.equal(order.length, HIGHS + 1);
  assert.ok(order.indexOf('low') <= bound, `low served at ${order.indexOf('low')}, the bound is ${bound}`);
});

test('the engine delivers a rate-limited priority-0 event within its aging bound', { timeout: 10_000 }, async () => {
  const fx = new SqliteEngineFixture();
  const order: string[] = [];
  fx.engine.setPlugins([testPlugin('limited', async (batch: readonly PlexusEvent[]) => {
    order.push(...batch.map(nameOf));
    return succeed(batch);
  }, { batchSize: 8, rateLimit })]);
  try {
    await fx.engine.accept(events());
    await fx.engine.idle();
    assert.equal(order.length, HIGHS + 1);
    assert.ok(order.indexOf('low') <= bound, `low delivered at ${order.indexOf('low')}, the bound is ${bound}`);
  } finally {
    await fx.close();
  }
});
