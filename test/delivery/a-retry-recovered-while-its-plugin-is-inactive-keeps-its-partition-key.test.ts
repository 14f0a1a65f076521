// A host stopped with a retry pending for partition key K and a later event of
// K waiting behind it. It restarts with the plugin not active (disabled, or
// its load failed), so both deliveries are recovered with no lane to queue
// them in; when the plugin is active again the retry must still come first
// (CONTRACT §5), though the later event is due now and the retry is not.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DeliveryIds } from '../../src/delivery/delivery-ids.ts';
import { namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

/** The engine's clock: it stands still until the test moves it, so the retry is in the future however slowly the machine runs. */
let clock = Date.now();
const fixture = new SqliteEngineFixture({ now: () => clock });
after(() => fixture.close());

const RETRY_IN_MS = 50;

test('a retry recovered while its plugin is inactive runs before the later events of its partition key', async () => {
  // What the stopped host left: K#1 failed once and waits for its retry, K#2 (accepted after) waits for K#1.
  const ids = new DeliveryIds();
  const now = clock;
  const { created } = await fixture.store.accept([
    { event: namedEvent('K#1', { partitionkey: 'K' }), acceptedAt: now, deliveries: [{ id: ids.next(now), plugin: 'ordered' }] },
    { event: namedEvent('K#2', { partitionkey: 'K' }), acceptedAt: now, deliveries: [{ id: ids.next(now), plugin: 'ordered' }] },
  ], 60_000);
  const [first] = created;
  assert.ok(first);
  const retryAt = clock + RETRY_IN_MS;
  await fixture.store.settle([{ kind: 'retry', deliveryId: first.id, handle: first.handle, attempt: 1, availableAt: retryAt, error: { name: 'Error', message: 'boom' } }], [], 60_000);
  await fixture.restart();

  const seen: string[] = [];
  const plugin = testPlugin('ordered', async (events: readonly PlexusEvent[]) => {
    for (const event of events) seen.push(nameOf(event));
    return succeed(events);
  });
  fixture.engine.setPlugins([]);
  assert.equal(await fixture.engine.recover(), 2);
  fixture.engine.setPlugins([plugin]);
  // Everything due has had its chance to run: K#2 is due, but must wait for K#1's retry.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(seen.length, 0, `nothing runs before the retry time, but ${seen.join(', ')} did`);

  // The retry timer (armed for RETRY_IN_MS) finds K#1 due once the clock has moved.
  clock = retryAt;
  await fixture.engine.idle();
  assert.deepEqual(seen, ['K#1', 'K#2']);
});
