import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FifoQueue } from '../../src/delivery/index.ts';
import { seededRandom } from '../router/seeded-random.ts';

test('interleaved pushes and shifts come out in push order, through many compactions', () => {
  const random = seededRandom(8);
  const queue = new FifoQueue<number>();
  const model: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    if (random() < 0.55) {
      queue.push(i);
      model.push(i);
    } else {
      assert.equal(queue.shift(), model.shift());
    }
    assert.equal(queue.size, model.length);
  }
  assert.deepEqual(queue.drain(), model);
  assert.equal(queue.size, 0);
  assert.equal(queue.shift(), undefined);
});
