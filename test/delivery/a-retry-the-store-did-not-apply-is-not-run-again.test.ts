// A delivery can stop being this engine's while its batch runs: another
// writer settles it (here, a settlement written straight to the store, as
// any other writer of the file would), and on a shared Redis store another
// host adopts it (test/delivery/redis-a-host-whose-delivery-was-adopted-*).
// The store then drops the batch's settlement and says so
// (AcceptResult.unapplied); the engine must forget the delivery. Scheduling
// the dropped retry ran the plugin again, side effects and all, for a
// delivery that no longer exists.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { DeliveryRecord, Settlement } from '../../src/store/store.ts';
import { failAll, latch, succeed, namedEvent, SqliteEngineFixture, testPlugin, until } from './sqlite-engine-fixture.ts';

const unapplied: { delivery: DeliveryRecord; settlement: Settlement }[] = [];
const fixture = new SqliteEngineFixture({ hooks: { unapplied: (_plugin, delivery, settlement) => void unapplied.push({ delivery, settlement }) } });
after(() => fixture.close());

test('a delivery settled elsewhere while its batch ran is not retried, and its partition key and tracker are released', async () => {
  const hold = latch();
  let runs = 0;
  const ran: string[] = [];
  fixture.engine.setPlugins([testPlugin('flaky', async (events: readonly PlexusEvent[]) => {
    runs++;
    for (const event of events) ran.push((event.data as { name: string }).name);
    if (runs > 1) return succeed(events);
    await hold.promise;
    return failAll(events);
  })]);
  const settled: number[] = [];
  await fixture.engine.accept([namedEvent('K#1', { partitionkey: 'K' }), namedEvent('K#2', { partitionkey: 'K' })], (i) => void settled.push(i));
  await until(() => runs === 1, 'the first batch runs');
  const [record] = await fixture.store.pending();
  assert.ok(record);

  // While the plugin runs, the delivery leaves the store.
  const removed = await fixture.store.settle([{ kind: 'done', deliveryId: record.id }], [], 60_000);
  assert.equal(removed.unapplied, undefined, 'that settlement applied');
  hold.open();
  // K#1's retry (in 50 ms) is dropped; K#2 waits for K#1 to be final, and runs now.
  await fixture.engine.idle();
  assert.deepEqual(ran, ['K#1', 'K#2'], 'K#1 ran once: its dropped retry was not scheduled');
  assert.equal(unapplied.length, 1);
  assert.equal(unapplied[0]?.settlement.kind, 'retry');
  assert.equal(unapplied[0]?.delivery.id, record.id);
  assert.deepEqual(settled.sort(), [0, 1]);
  assert.deepEqual(await fixture.store.pending(), []);
});
