import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FifoQueue } from '../../src/delivery/index.ts';
import { seededRandom } from '../router/seeded-random.ts';

// Phases that fill the ring (it doubles), drain it (it halves) and wrap its
// head around many times, checked step by step against an array.
test('interleaved pushes and shifts come out in push order while the ring grows, wraps and shrinks', () => {
  const random = seededRandom(8);
  const queue = new FifoQueue<number>();
  const model: number[] = [];
  let n = 0;
  for (const pushShare of [0.55, 0.9, 0.3, 0.5, 0.95, 0.1]) {
    for (let i = 0; i < 20_000; i++) {
      if (random() < pushShare) {
        queue.push(n);
        model.push(n++);
      } else {
        assert.equal(queue.shift(), model.shift());
      }
      assert.equal(queue.size, model.length);
      assert.equal(queue.peek(), model[0]);
    }
  }
  assert.deepEqual(queue.drain(), model);
  assert.equal(queue.size, 0);
  assert.equal(queue.shift(), undefined);
  queue.push(1);
  assert.deepEqual(queue.drain(), [1], 'usable again after a drain');
});
