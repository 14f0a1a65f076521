// Host A's lease lapses while it lives (a long pause) with a batch running;
// host B adopts the delivery and runs it too. A's retry settlement is refused
// by the store (run-by names B), and A must forget the delivery: scheduling
// that retry anyway ran the plugin on A again, with its side effects, for a
// delivery B owns, until A's retries ran out.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DeliveryEngine } from '../../src/delivery/engine.ts';
import type { BatchExecutor } from '../../src/delivery/plugin-lane.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { hostLeaseKey, redisKeys } from '../../src/store/redis-keys.ts';
import type { Settlement } from '../../src/store/store.ts';
import { REDIS_URL, redisSkipReason } from '../store/redis-reachable.ts';
import { failAll, latch, namedEvent, recordingSandbox, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

const skip = await redisSkipReason();
const prefix = `plexus-test:${randomUUID()}:`;
const opened: RedisStore[] = [];
const engines: DeliveryEngine[] = [];

after(async () => {
  for (const engine of engines) await engine.stop(1000);
  for (const store of opened) await store.close();
  if (skip !== undefined) return;
  const cleaner = await RedisStore.connect({ url: REDIS_URL, prefix });
  await cleaner.destroyAll();
  await cleaner.close();
});

function engineOn(store: RedisStore, execute: BatchExecutor, unapplied: Settlement[] = []): DeliveryEngine {
  const engine = new DeliveryEngine({
    store, sandbox: recordingSandbox().sandbox, dedupWindowMs: 0, maxQueued: 1000, random: () => 1,
    hooks: { unapplied: (_plugin, _delivery, settlement) => void unapplied.push(settlement) },
  });
  engine.setPlugins([testPlugin('worker', execute)]);
  engines.push(engine);
  return engine;
}

test('a host whose delivery was adopted while its batch ran does not run it again after its refused retry', { skip }, async () => {
  const a = await RedisStore.connect({ url: REDIS_URL, prefix, host: 'aaaaaaaa0031' });
  const b = await RedisStore.connect({ url: REDIS_URL, prefix, host: 'bbbbbbbb0032' });
  opened.push(a, b);

  const aHolds = latch();
  let runsOnA = 0;
  const refusedOnA: Settlement[] = [];
  const onA = engineOn(a, async (events: readonly PlexusEvent[]) => {
    runsOnA++;
    await aHolds.promise;
    return failAll(events);
  }, refusedOnA);
  const bHolds = latch();
  let runsOnB = 0;
  const onB = engineOn(b, async (events: readonly PlexusEvent[]) => {
    runsOnB++;
    await bHolds.promise;
    return succeed(events);
  });

  const settled: number[] = [];
  await onA.accept([namedEvent('e1')], (i) => void settled.push(i));
  await until(() => runsOnA === 1, 'A runs the delivery');

  // A's lease lapses (removed here, as its expiry would) and B adopts what A left.
  const raw = new Redis(REDIS_URL);
  await raw.del(hostLeaseKey(redisKeys(prefix), a.host));
  raw.disconnect();
  assert.equal(await onB.adoptOrphans(), 1, 'B adopts the delivery A is running');
  await until(() => runsOnB === 1, 'B runs it too');

  // A's batch fails: its retry (due in 50 ms) is refused, B owns the delivery now.
  aHolds.open();
  await onA.idle();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(runsOnA, 1, 'A never runs the adopted delivery again');
  assert.deepEqual(refusedOnA.map((s) => s.kind), ['retry'], 'the store told A its retry did not apply');
  assert.deepEqual(settled, [0], 'A counts the delivery as settled (its broker message may go)');
  assert.equal(onA.depth.retrying, 0);

  // B's outcome stands.
  bHolds.open();
  await onB.idle();
  assert.equal(runsOnB, 1);
  assert.deepEqual(await b.pending(), []);
});
