// A sandbox batch travels as one JSON text, built on the host, again on the
// worker and again in the isolate. PluginLane.take stops a batch before its
// events' texts pass MAX_TEXT_CHARS (src/store/text-budget.ts), under V8's
// large-object threshold; batchSize still bounds batches of small events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DEFAULT_LIMITS, NO_CAPABILITIES } from '@plexus/plugin-sdk/runtime';
import { DEFAULT_RETRY_POLICY } from '../../src/delivery/index.ts';
import { PluginLane, type ActivePlugin, type QueuedDelivery } from '../../src/delivery/plugin-lane.ts';
import { MAX_TEXT_CHARS, UNMEASURED_EVENT_CHARS } from '../../src/store/text-budget.ts';

const plugin = (batchSize: number): ActivePlugin => ({
  name: 'p',
  subscribe: ['#'],
  retry: DEFAULT_RETRY_POLICY,
  concurrency: 100,
  batchSize,
  breaker: { failureThreshold: 20, coolDownMs: 30_000 },
  spec: { key: 'p@1', name: 'p', version: '1.0.0', root: '/p', main: 'dist/plugin.js', config: {}, capabilities: NO_CAPABILITIES, secrets: {}, limits: DEFAULT_LIMITS },
});

let next = 0;
/** A delivery whose event text is `chars` long, as a fresh record carries it; undefined: a record without its text (a retry). */
function delivery(chars: number | undefined): QueuedDelivery {
  const id = `d-${next++}`;
  const event = { specversion: '1.0', id, source: 'test', type: 't' } as PlexusEvent;
  const record = { id, seq: next, plugin: 'p', event, attempt: 0, availableAt: 0, acceptedAt: 0 };
  return { record: chars === undefined ? record : { ...record, eventJson: 'x'.repeat(chars) }, admitted: false };
}

/** The batches the lane hands out until it is empty, each finished before the next is taken. */
function drain(lane: PluginLane): QueuedDelivery[][] {
  const batches: QueuedDelivery[][] = [];
  for (let taken = lane.take(0); taken.batch.length > 0; taken = lane.take(0)) {
    batches.push(taken.batch);
    lane.inFlight--;
  }
  return batches;
}

const batchSizes = (lane: PluginLane) => drain(lane).map((b) => b.length);

test('events whose texts together pass the budget go in several batches, in order, none over it', () => {
  const lane = new PluginLane(plugin(256), 0);
  const size = Math.floor(MAX_TEXT_CHARS / 2.5);
  const queued = Array.from({ length: 7 }, () => delivery(size));
  for (const d of queued) lane.enqueue(d);
  const batches = drain(lane);
  assert.deepEqual(batches.map((b) => b.length), [2, 2, 2, 1]);
  assert.deepEqual(batches.flat().map((d) => d.record.id), queued.map((d) => d.record.id), 'order is kept');
  for (const batch of batches) assert.ok(batch.reduce((sum, d) => sum + (d.record.eventJson?.length ?? 0) + 1, 0) <= MAX_TEXT_CHARS);
});

test('an event over the budget on its own still goes, alone', () => {
  const lane = new PluginLane(plugin(256), 0);
  lane.enqueue(delivery(10));
  lane.enqueue(delivery(MAX_TEXT_CHARS * 3));
  lane.enqueue(delivery(10));
  assert.deepEqual(batchSizes(lane), [1, 1, 1]);
});

test('small events fill batches up to batchSize, as before', () => {
  const lane = new PluginLane(plugin(64), 0);
  for (let i = 0; i < 200; i++) lane.enqueue(delivery(300));
  assert.deepEqual(batchSizes(lane), [64, 64, 64, 8]);
});

test('records read back without their text (a recovered backlog) still fill batchSize', () => {
  assert.ok(256 * (UNMEASURED_EVENT_CHARS + 1) <= MAX_TEXT_CHARS);
  const lane = new PluginLane(plugin(256), 0);
  for (let i = 0; i < 300; i++) lane.enqueue(delivery(undefined));
  assert.deepEqual(batchSizes(lane), [256, 44]);
});

test('text enough for a full batch is a full batch: it goes while another is in flight, and never lingers', () => {
  const lane = new PluginLane({ ...plugin(256), lingerMs: 10_000 }, 0);
  const size = Math.floor(MAX_TEXT_CHARS / 2.5);
  for (let i = 0; i < 6; i++) lane.enqueue(delivery(size), 0);
  assert.deepEqual([lane.take(1).batch.length, lane.take(1).batch.length], [2, 2], 'a second batch went with the first in flight, not held for 256');
  const third = lane.take(1);
  assert.equal(third.batch.length, 0, 'what is left (2 events) is a partial batch: it waits while others run');
  lane.inFlight -= 2;
  assert.equal(lane.take(1).batch.length, 0, 'with nothing in flight it lingers, the stream still flowing');
  lane.enqueue(delivery(size), 1);
  assert.equal(lane.take(1).batch.length, 2, 'the text reached the budget again: sent without lingering');
});
