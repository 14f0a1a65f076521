// KeyedMutex: one task at a time per key, keys independent, errors release the key.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { KeyedMutex } from '../src/keyed-mutex.ts';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (id: string, ms: number) => mutex.run('pkg', async () => {
      log.push(`start ${id}`);
      await sleep(ms);
      log.push(`end ${id}`);
    });
    await Promise.all([task('a', 20), task('b', 1), task('c', 5)]);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(mutex.activeKeys, 0, 'finished keys are forgotten');
  });

  it('runs different keys in parallel', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let peak = 0;
    await Promise.all(['a', 'b', 'c'].map((key) => mutex.run(key, async () => {
      peak = Math.max(peak, ++running);
      await sleep(10);
      running--;
    })));
    assert.equal(peak, 3);
  });

  it('a failing task rejects its caller and releases the key', async () => {
    const mutex = new KeyedMutex();
    await assert.rejects(mutex.run('k', async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await mutex.run('k', async () => 42), 42);
  });
});
