// The sandbox process lowers its scheduling priority (nice, relative to the
// host's) before it starts its workers, so when CPU is short the host's own
// pipeline runs first and plugin code waits. On Linux nice is per thread:
// every thread of the sandbox process must carry it, the V8 threads that
// existed before the change as much as the workers started after it; the
// host keeps its own.
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { lowered } from '../../src/sandbox/process-priority.ts';
import { canReadThreadNices, threadNices } from '../fixtures/thread-nices.ts';

const linuxOnly = { skip: !canReadThreadNices && 'per-thread priorities are read from /proc (Linux)' };

test('every thread of the sandbox process runs the asked nice steps below the host, and the host keeps its own', linuxOnly, async () => {
  const hostBefore = threadNices(process.pid);
  const pool = await SandboxPool.start({ threads: 2, nice: 7 });
  try {
    const pid = (await pool.stats()).pid;
    const nices = threadNices(pid);
    assert.ok(nices.length >= 6, `the sandbox process has its main thread, V8's threads and 2 workers (${nices.length} threads)`);
    assert.deepEqual(new Set(nices), new Set([lowered(getPriority(), 7)]), `thread nice values: ${nices.join(' ')}`);
    assert.deepEqual(threadNices(process.pid).slice(0, hostBefore.length), hostBefore, 'the host process is left as it was');
    assert.equal(getPriority(), hostBefore[0]);
  } finally {
    await pool.close();
  }
});

test('without nice the sandbox runs at the priority it inherited from the host', linuxOnly, async () => {
  const pool = await SandboxPool.start({ threads: 1 });
  try {
    assert.deepEqual(new Set(threadNices((await pool.stats()).pid)), new Set([getPriority()]));
  } finally {
    await pool.close();
  }
});

test('the steps are counted from the priority the host runs at, and stop at 19', () => {
  assert.equal(lowered(0, 10), 10);
  assert.equal(lowered(5, 10), 15);
  assert.equal(lowered(15, 10), 19);
  assert.equal(lowered(-5, 10), 5);
});

test('a nice value outside 0-19 is refused before any process starts', async () => {
  for (const nice of [-1, 20, 2.5]) {
    await assert.rejects(SandboxPool.start({ nice }), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_CONFIG' && /from 0 to 19/.test(err.message), String(nice));
  }
});
