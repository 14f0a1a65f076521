import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PriorityScheduler } from '../../src/delivery/index.ts';
import { randomInt, seededRandom } from '../router/seeded-random.ts';

function drain<T>(scheduler: PriorityScheduler<T>): T[] {
  const out: T[] = [];
  for (let item = scheduler.pop(); item !== undefined; item = scheduler.pop()) out.push(item);
  return out;
}

test('items queued together come out 9 first, FIFO within a priority', () => {
  const scheduler = new PriorityScheduler<string>();
  for (const [name, priority] of [['a4', 4], ['b0', 0], ['c9', 9], ['d4', 4], ['e9', 9], ['f7', 7]] as const) scheduler.push(name, priority);
  assert.deepEqual(drain(scheduler), ['c9', 'e9', 'f7', 'a4', 'd4', 'b0']);
});

test('any batch of fewer than agingStep arrivals is served in strict priority order', () => {
  const random = seededRandom(5);
  for (let round = 0; round < 200; round++) {
    const scheduler = new PriorityScheduler<{ priority: number; seq: number }>({ agingStep: 32 });
    const batch = Array.from({ length: randomInt(random, 1, 32) }, (_, seq) => ({ priority: randomInt(random, 0, 9), seq }));
    for (const item of batch) scheduler.push(item, item.priority);
    const expected = [...batch].sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    assert.deepEqual(drain(scheduler), expected);
  }
});

test('depth per priority is tracked for metrics', () => {
  const scheduler = new PriorityScheduler<number>();
  [9, 9, 4, 0].forEach((p, i) => scheduler.push(i, p));
  assert.deepEqual(scheduler.depthByPriority(), [1, 0, 0, 0, 1, 0, 0, 0, 0, 2]);
  scheduler.pop();
  assert.equal(scheduler.size, 3);
  assert.deepEqual(scheduler.depthByPriority(), [1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.equal(scheduler.peek(), 1);
});

test('an empty scheduler yields undefined; invalid priorities and steps are refused', () => {
  const scheduler = new PriorityScheduler<number>();
  assert.equal(scheduler.pop(), undefined);
  assert.equal(scheduler.peek(), undefined);
  for (const p of [-1, 10, 2.5]) assert.throws(() => scheduler.push(1, p), RangeError);
  assert.throws(() => new PriorityScheduler({ agingStep: 0 }), RangeError);
});
