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
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 980, lastArrivalAt: 1000 }), LINGER, 1000), undefined);
});

test('while deliveries keep arriving, a partial batch waits until lingerMs after the last dispatch or until the stream pauses', () => {
  const flowing = state({ lastDispatchAt: 100, lastArrivalAt: 104 });
  assert.equal(holdPartialBatchUntil(flowing, LINGER, 105), 104 + QUIET_MS);
  assert.equal(holdPartialBatchUntil({ ...flowing, lastArrivalAt: 109 }, LINGER, 109), 110);
  assert.equal(holdPartialBatchUntil({ ...flowing, lastArrivalAt: 109 }, LINGER, 110), undefined, 'lingerMs is over');
  assert.equal(holdPartialBatchUntil(flowing, LINGER, 104 + QUIET_MS), undefined, 'nothing came for QUIET_MS: the stream paused');
});

test('a batch holding a delivery whose outcome someone awaits (a broker ack, a settle callback) is never held', () => {
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 100, lastArrivalAt: 101, awaited: 1 }), LINGER, 101), undefined);
});

test('lingerMs 0 never holds a batch', () => {
  assert.equal(holdPartialBatchUntil(state({ lastDispatchAt: 100, lastArrivalAt: 101 }), 0, 101), undefined);
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
/** `awaited`: with a settle tracker, as accept() gives the deliveries of a caller that waits on their outcome. */
function delivery(awaited = false): QueuedDelivery {
  const id = `d-${next++}`;
  const event = { specversion: '1.0', id, source: 'test', type: 't' } as PlexusEvent;
  const queued: QueuedDelivery = { record: { id, seq: next, plugin: 'p', event, attempt: 0, availableAt: 0, acceptedAt: 0 }, admitted: false };
  if (awaited) queued.tracker = { remaining: 1, index: 0, onSettled: () => undefined };
  return queued;
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

test('a lane sends a partial batch at once while any delivery in it is awaited, and lingers again once none is', () => {
  const lane = new PluginLane(plugin(), 0);
  for (let t = 0; t < 3; t++) {
    // A broker's window of 2 unacked messages: the next two arrive only once these have settled.
    lane.enqueue(delivery(true), t);
    lane.enqueue(delivery(true), t);
    assert.equal(lane.take(t).batch.length, 2, `round ${t}`);
    finish(lane);
  }
  lane.enqueue(delivery(), 3);
  lane.enqueue(delivery(true), 3);
  assert.equal(lane.take(3).batch.length, 2, 'one awaited delivery is enough');
  finish(lane);
  lane.enqueue(delivery(), 4);
  assert.equal(lane.take(4).wakeAt, 4 + QUIET_MS, 'the awaited ones have left the queue');
});

test('without lingerMs a lane sends whatever it has as soon as it is free', () => {
  const lane = new PluginLane(plugin({ lingerMs: 0 }), 0);
  lane.enqueue(delivery(), 0);
  assert.equal(lane.take(0).batch.length, 1);
  lane.enqueue(delivery(), 1);
  finish(lane);
  assert.equal(lane.take(1).batch.length, 1);
});
