import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DEFAULT_LIMITS, NO_CAPABILITIES } from '@plexus/plugin-sdk/runtime';
import { DEFAULT_RETRY_POLICY } from '../../src/delivery/index.ts';
import { freshLingerState, holdPartialBatchUntil, QUIET_MS, type LingerState } from '../../src/delivery/linger.ts';
import { PluginLane, type ActivePlugin, type QueuedDelivery } from '../../src/delivery/plugin-lane.ts';

const LINGER = 10;
const state = (over: Partial<LingerState>): LingerState => ({ ...freshLingerState(), ...over });

test('a lone event goes at once: nothing was dispatched within lingerMs', () => {
  assert.equal(holdPartialBatchUntil(freshLingerState(), LINGER, 1000), undefined);
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 980, lastArrivalAt: 1000, arrivedInFlight: true }), LINGER, 1000), undefined);
});

test('while deliveries keep arriving, a partial batch waits until lingerMs after the last dispatch or until the stream pauses', () => {
  const flowing = state({ lastDispatchAt: 100, lastArrivalAt: 104, arrivedInFlight: true });
  assert.equal(holdPartialBatchUntil(flowing, LINGER, 105), 104 + QUIET_MS);
  assert.equal(holdPartialBatchUntil({ ...flowing, lastArrivalAt: 109 }, LINGER, 109), 110);
  assert.equal(holdPartialBatchUntil({ ...flowing, lastArrivalAt: 109 }, LINGER, 110), undefined, 'lingerMs is over');
  assert.equal(holdPartialBatchUntil(flowing, LINGER, 104 + QUIET_MS), undefined, 'nothing came for QUIET_MS: the stream paused');
});

test('a stream waiting on the running batch (nothing arrived while it ran) is never held', () => {
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 100, lastArrivalAt: 101, arrivedInFlight: false }), LINGER, 101), undefined);
});

test('lingerMs 0 never holds a batch', () => {
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 100, lastArrivalAt: 101, arrivedInFlight: true }), 0, 101), undefined);
});

const plugin = (over: Partial<ActivePlugin> = {}): ActivePlugin => ({
  name: 'p',
  subscribe: ['#'],
  retry: DEFAULT_RETRY_POLICY,
  concurrency: 4,
  batchSize: 4,
  lingerMs: LINGER,
  breaker: { failureThreshold: 20, coolDownMs: 30_000 },
  spec: { key: 'p@1', name: 'p', version: '1.0.0', root: '/p', main: 'dist/plugin.js', config: {}, capabilities: NO_CAPABILITIES, secrets: {}, limits: DEFAULT_LIMITS },
  ...over,
});

let next = 0;
function delivery(): QueuedDelivery {
  const id = `d-${next++}`;
  const event = { specversion: '1.0', id, source: 'test', type: 't' } as PlexusEvent;
  return { record: { id, seq: next, plugin: 'p', event, attempt: 0, availableAt: 0, acceptedAt: 0 }, admitted: false };
}

/** The batch's end, as the engine reports it: the lane's slot is free again. */
const finish = (lane: PluginLane) => void lane.inFlight--;

test('a lane under a steady stream gathers what arrives into one batch, sent lingerMs after the last', () => {
  const lane = new PluginLane(plugin(), 0);
  lane.enqueue(delivery(), 0);
  assert.equal(lane.take(0).batch.length, 1, 'the first event of a burst goes at once');
  lane.enqueue(delivery(), 1);
  lane.enqueue(delivery(), 2);
  finish(lane);
  assert.deepEqual(lane.take(2), { batch: [], expired: [], permit: undefined, wakeAt: 2 + QUIET_MS });
  lane.enqueue(delivery(), 3);
  assert.equal(lane.take(3).wakeAt, 3 + QUIET_MS);
  lane.enqueue(delivery(), 4);
  lane.enqueue(delivery(), 4);
  lane.enqueue(delivery(), 4);
  // Four are waiting: a full batch never waits.
  assert.equal(lane.take(4).batch.length, 4);
});

test('a lane whose stream waits on its acks sends each partial batch at once', () => {
  const lane = new PluginLane(plugin(), 0);
  for (let t = 0; t < 5; t++) {
    // A window of 2 (a broker's prefetch): the next two arrive only once this batch has settled.
    lane.enqueue(delivery(), t);
    lane.enqueue(delivery(), t);
    const taken = lane.take(t);
    assert.equal(taken.batch.length, 2, `round ${t}`);
    finish(lane);
  }
});

test('without lingerMs a lane sends whatever it has as soon as it is free', () => {
  const lane = new PluginLane(plugin({ lingerMs: 0 }), 0);
  lane.enqueue(delivery(), 0);
  assert.equal(lane.take(0).batch.length, 1);
  lane.enqueue(delivery(), 1);
  finish(lane);
  assert.equal(lane.take(1).batch.length, 1);
});
