// The retries of one failed batch share one retry time, but each wait is set
// by reading both clocks (retry-timer.ts), and Date.now's whole milliseconds
// put those waits up to a millisecond apart. Fired strictly one by one, the
// batch's retries went back to their lane in several timer turns, as
// several batches, and the room of the first came back before its
// batch-mates had run (seen as a flaky backpressure test under CI load).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryTimer } from '../../src/delivery/retry-timer.ts';

test('retries due within the millisecond their clocks can differ by fire in one turn; later ones wait', async () => {
  // The wall clock ticks between the two schedule calls; the monotonic one moves on by a tenth of a millisecond.
  const walls = [1000, 1001];
  let wall = 1000;
  let monotonic = 0.95;
  const fired: string[][] = [];
  const timer = new RetryTimer<string>((items) => fired.push(items), () => walls.shift() ?? wall, () => monotonic);
  timer.schedule('a', 1020); // due at 0.95 + 20 = 20.95
  monotonic = 1.05;
  timer.schedule('b', 1020); // due at 1.05 + 19 = 20.05: 0.9 ms before a, on the clock the waits run on
  timer.schedule('c', 1024); // due at 24.05
  // The timer was armed for b, ~19 ms of real time away; when it fires, the monotonic clock reads exactly b's time.
  monotonic = 20.05;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(fired, [['b', 'a']], 'a, due 0.9 ms after b, goes with it; c, 4 ms later, does not');
  monotonic = 24.05;
  wall = 1024;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(fired, [['b', 'a'], ['c']]);
  timer.stop();
});
