// A delivery the SQLite store has just created keeps its event as the JSON
// text it journaled, not as the ingress's object: that object must be
// garbage once the accept is durable, not live (and be copied by every
// young-generation GC) until the delivery settles. The record still answers
// `event`, parsed on demand, and carries what delivery reads on every
// delivery (priority, partition key, expiry, trace) without parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { routingOf, type DeliveryRecord } from '../../src/store/store.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const event = (id: string, extra: Partial<PlexusEvent> = {}): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'orders.created', data: { id, lines: [{ sku: 'A-1', qty: 2 }] }, ...extra });

test("the accepted event object is collected while its delivery is pending; the record's event parses back equal", async () => {
  const store = SqliteStore.open(':memory:');
  try {
    let accepted: PlexusEvent | undefined = event('e1');
    const copy = structuredClone(accepted);
    const watch = new WeakRef(accepted);
    const { created } = await store.accept([{ event: accepted, acceptedAt: 1000, deliveries: [{ id: 'd1', plugin: 'p' }] }], 0);
    accepted = undefined;
    // Twice: the first collection may only have queued the object's finalization.
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(watch.deref(), undefined, 'nothing the store answered holds the ingress event');
    const record = created[0] as DeliveryRecord;
    assert.equal((await store.pending()).length, 1, 'the delivery is still pending');
    assert.deepEqual(record.event, copy);
    assert.equal(record.event, record.event, 'parsed once, then kept');
  } finally {
    await store.close();
  }
});

test('the routing attributes are on the record without parsing its event, and the same as the event says', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const traced = event('e2', { priority: 9, partitionkey: 'customer-7', expiresat: '2030-01-01T00:00:00Z', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const { created } = await store.accept([
      { event: traced, acceptedAt: 1000, deliveries: [{ id: 'd2', plugin: 'p' }, { id: 'd3', plugin: 'q' }] },
      { event: event('e3'), acceptedAt: 1000, deliveries: [{ id: 'd4', plugin: 'p' }] },
    ], 0);
    const [d2, d3, d4] = created as [DeliveryRecord, DeliveryRecord, DeliveryRecord];
    assert.deepEqual({ ...routingOf(d2) }, { priority: 9, partitionkey: 'customer-7', expiresat: '2030-01-01T00:00:00Z', traceparent: traced.traceparent });
    assert.equal(routingOf(d3), routingOf(d2), "one event's deliveries share its routing");
    assert.deepEqual({ ...routingOf(d4) }, {}, 'an event with none of them');
  } finally {
    await store.close();
  }
});
