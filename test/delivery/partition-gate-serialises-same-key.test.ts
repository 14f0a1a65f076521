import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionGate } from '../../src/delivery/index.ts';
import { pick, seededRandom } from '../router/seeded-random.ts';

test('a second event with the same key waits; release hands it over', () => {
  const gate = new PartitionGate<string>();
  assert.equal(gate.admit('p', 'customer-1', 'e1'), 'run');
  assert.equal(gate.admit('p', 'customer-1', 'e2'), 'wait');
  assert.equal(gate.admit('p', 'customer-1', 'e3'), 'wait');
  assert.equal(gate.release('p', 'customer-1'), 'e2');
  assert.equal(gate.release('p', 'customer-1'), 'e3');
  assert.equal(gate.release('p', 'customer-1'), undefined);
  assert.equal(gate.isBusy('p', 'customer-1'), false);
});

test('different keys and different plugins flow independently', () => {
  const gate = new PartitionGate<string>();
  assert.equal(gate.admit('p', 'k1', 'a'), 'run');
  assert.equal(gate.admit('p', 'k2', 'b'), 'run');
  assert.equal(gate.admit('q', 'k1', 'c'), 'run');
  assert.equal(gate.busyLanes, 3);
});

test('events without a key are never held back', () => {
  const gate = new PartitionGate<string>();
  for (let i = 0; i < 5; i++) assert.equal(gate.admit('p', undefined, `e${i}`), 'run');
  assert.equal(gate.release('p', undefined), undefined);
  assert.equal(gate.busyLanes, 0);
});

test('random interleavings: per key, at most one in flight and order of arrival kept', () => {
  const random = seededRandom(21);
  const gate = new PartitionGate<{ key: string; seq: number }>();
  const inFlight = new Map<string, number>();
  const started: Record<string, number[]> = {};
  const arrivals: Record<string, number[]> = {};
  const start = (item: { key: string; seq: number }): void => {
    assert.equal(inFlight.has(item.key), false, `two in flight for ${item.key}`);
    inFlight.set(item.key, item.seq);
    (started[item.key] ??= []).push(item.seq);
  };
  for (let step = 0; step < 5000; step++) {
    if (random() < 0.6 || inFlight.size === 0) {
      const item = { key: pick(random, ['a', 'b', 'c', 'd']), seq: step };
      (arrivals[item.key] ??= []).push(item.seq);
      if (gate.admit('plugin', item.key, item) === 'run') start(item);
    } else {
      const key = pick(random, [...inFlight.keys()]);
      inFlight.delete(key);
      const next = gate.release('plugin', key);
      if (next) start(next);
    }
  }
  let waiting = 0;
  for (const key of Object.keys(arrivals)) {
    const done = started[key] ?? [];
    assert.deepEqual(done, (arrivals[key] ?? []).slice(0, done.length), `order for ${key}`);
    assert.equal(gate.waitingCount('plugin', key), (arrivals[key] ?? []).length - done.length);
    waiting += gate.waitingCount('plugin', key);
  }
  assert.equal(gate.waiting, waiting, 'the total held, which backpressure counts');
});

test('idle lanes are forgotten, so memory follows busy keys only', () => {
  const gate = new PartitionGate<number>();
  for (let i = 0; i < 10_000; i++) {
    gate.admit('p', `k${i}`, i);
    gate.release('p', `k${i}`);
  }
  assert.equal(gate.busyLanes, 0);
});

test('releasing a lane with nothing in flight is a caller bug and throws', () => {
  const gate = new PartitionGate<number>();
  assert.throws(() => gate.release('p', 'k'), /idle lane/);
});

test('removing a plugin returns its waiting events in order and frees its lanes', () => {
  const gate = new PartitionGate<string>();
  gate.admit('p', 'k1', 'a');
  gate.admit('p', 'k1', 'b');
  gate.admit('p', 'k1', 'c');
  gate.admit('p', 'k2', 'd');
  gate.admit('q', 'k1', 'e');
  assert.equal(gate.waiting, 2);
  assert.deepEqual(gate.removePlugin('p'), ['b', 'c']);
  assert.equal(gate.busyLanes, 1);
  assert.equal(gate.waiting, 0);
  assert.deepEqual(gate.removePlugin('absent'), []);
});
