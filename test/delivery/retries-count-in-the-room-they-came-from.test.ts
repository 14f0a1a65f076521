// Deliveries waiting for their retry time count against delivery.maxQueued
// in the room they took while queued (lane-load.ts): ingress with ingress,
// emitted deliveries in their own room, egress in its room, which holds
// ingress back only beyond maxQueued (a broker outage must not stop every
// ingress while its retries wait).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveryRecord } from '../../src/store/store.ts';
import { admissionLoad, emittedLoad, retryRoom } from '../../src/delivery/lane-load.ts';
import type { PluginLane } from '../../src/delivery/plugin-lane.ts';
import type { QueuedDelivery } from '../../src/delivery/queued-delivery.ts';
import { RetryWaits } from '../../src/delivery/retry-waits.ts';

const lane = (queued: number, emittedQueued: number, emittedOnly = false): PluginLane =>
  ({ enabled: true, queued, emittedQueued, plugin: { emittedOnly } }) as unknown as PluginLane;

const delivery = (plugin: string, emitted = false): QueuedDelivery => ({ record: { id: `${plugin}-${Math.random()}`, plugin } as DeliveryRecord, admitted: true, emitted });

test('waiting retries are counted per room until they are due, then handed back', async () => {
  const now = 1_000;
  const due: QueuedDelivery[][] = [];
  const lanes = new Map([['p', lane(0, 0)], ['egress', lane(0, 0, true)]]);
  const waits = new RetryWaits((ds) => due.push(ds), (d) => retryRoom(lanes.get(d.record.plugin), d), () => now, () => performance.now());
  try {
    waits.schedule(delivery('p'), now + 20);
    waits.schedule(delivery('p', true), now + 20);
    waits.schedule(delivery('egress'), now + 20);
    waits.schedule(delivery('p'), now + 10_000);
    assert.deepEqual(waits.waiting, { ingress: 2, emitted: 1, egress: 1 });
    assert.equal(waits.size, 4);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(due.flat().length, 3);
    assert.deepEqual(waits.waiting, { ingress: 1, emitted: 0, egress: 0 }, 'the due ones left their rooms');
  } finally {
    waits.stop();
  }
});

test('ingress retries hold ingress back, emitted ones only emits, egress ones only beyond their own room', () => {
  const lanes = [lane(3, 1), lane(4, 0, true)];
  const maxQueued = 10;
  assert.equal(admissionLoad(lanes, maxQueued), 2, 'without retries: queued ingress deliveries (the egress room is not full)');
  assert.equal(admissionLoad(lanes, maxQueued, { ingress: 5, emitted: 7, egress: 0 }), 7, 'ingress retries count; emitted ones do not');
  assert.equal(emittedLoad(lanes, { ingress: 5, emitted: 7, egress: 0 }), 8, 'emitted retries count in the emitted room');
  assert.equal(admissionLoad(lanes, maxQueued, { ingress: 0, emitted: 0, egress: 6 }), 2, 'egress retries fill the egress room first');
  assert.equal(admissionLoad(lanes, maxQueued, { ingress: 0, emitted: 0, egress: 9 }), 5, 'and hold ingress back beyond it');
});
