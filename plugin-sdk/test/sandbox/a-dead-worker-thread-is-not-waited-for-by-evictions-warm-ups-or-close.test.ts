// A sandbox worker thread can die while its process lives on; piscina then
// starts another in its place. Evictions, warm-ups and close wait for one ack
// from each live worker: the dead one must leave that count, or each of them
// waits out the sandbox's control timeout (40 s) for an ack that never comes,
// and a warm-up must reach the worker that replaced it.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { endWorkerMarker } from '../fixtures/end-worker-on-request.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

/** Starts a sandbox whose worker threads end when told (end-worker-on-request.ts). */
async function withEndingWorkers<T>(start: () => Promise<T>): Promise<T> {
  // The sandbox process takes NODE_OPTIONS from the host's environment at its fork, and its workers from it.
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --require=${fileURLToPath(new URL('../fixtures/end-worker-on-request.ts', import.meta.url))}`.trim();
  try {
    return await start();
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
}

const sandbox = new SandboxFixture();
before(() => withEndingWorkers(() => sandbox.start()));
after(() => sandbox.stop());

/** `promise`, or a failure naming `what` if it is still pending after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} still unanswered after ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('after a worker thread dies, evict, warm and close answer at once, and warm reaches its replacement', { timeout: 120_000 }, async () => {
  const pool = sandbox.pool;
  // Worker threads 1 and 2 are the first two of a fresh sandbox process (its main thread is 0).
  const marker = endWorkerMarker(pool.pid as number, 1);
  writeFileSync(marker, '');
  await until(() => !existsSync(marker), 'worker thread 1 to take its marker and exit');
  // Piscina starts its replacement at once. A worker announces itself to the
  // sandbox's main thread before it links up to the host, so the replacement
  // is announced once it has linked.
  await until(() => sandbox.pool.linkedWorkers < 2, 'the dead worker\'s link to drop');
  await until(() => sandbox.pool.linkedWorkers === 2, 'its replacement to link up');

  await within(5000, 'an eviction', pool.evict('nobody'));
  const spec = await sandbox.spec({ name: 'warm-logging', source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ init(ctx) { ctx.log.info('warmed', {}); }, execute() {} });` });
  const report = await within(5000, 'a warm-up', pool.warm(spec));
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.instanceLogs.filter((l) => l.message === 'warmed').length, 2, 'one init per live worker: the survivor and the replacement');
  await within(5000, 'close', pool.close());
});

test('a worker thread that dies while an eviction waits for its ack is not waited for', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-dying-worker-'));
  // Each kv call answers after the delay its key names (`d:<ms>`): the cleanup hooks below are still running when the thread dies.
  const pool = await withEndingWorkers(() => SandboxPool.start({ threads: 2, kv: async (_p, _op, args) => {
    await new Promise((resolve) => setTimeout(resolve, Number(String(args[0]).split(':')[1])));
    return null;
  } }));
  try {
    const root = await writePlugin({ name: 'slow-cleanup', capabilities: { kv: true }, source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {}, async cleanup(ctx) { await ctx.kv.get('d:2000'); } });` }, dir);
    const { spec } = await loadPlugin(root, { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 512, timeoutMs: 30_000 } });
    assert.equal((await pool.warm(spec)).ok, true, 'an instance in each worker');
    const evicted = pool.evict(spec.key);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const marker = endWorkerMarker(pool.pid as number, 1);
    writeFileSync(marker, '');
    await until(() => !existsSync(marker), 'worker thread 1 to take its marker and exit');
    // The survivor's cleanup answers 2 s after the eviction began; the dead worker never will.
    await within(10_000, 'the eviction', evicted);
    await within(5000, 'close', pool.close());
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
