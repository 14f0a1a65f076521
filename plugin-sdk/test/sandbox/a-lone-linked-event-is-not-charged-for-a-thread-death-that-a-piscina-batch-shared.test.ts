// A worker thread can die while its process lives on. The host then re-runs
// the batches it had sent over that thread's link one event at a time, and
// charges a lone one-event batch with the crash only if nothing else was
// running there (rerun-after-crash.ts). Batches beyond what the links carry
// go through the sandbox process's piscina queue, to any thread, unseen by
// the link: while one of them is in flight, the host cannot know the thread
// ran the linked event alone, and charging it could cost an innocent event
// an attempt for another plugin's crash.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { endWorkerMarker } from '../fixtures/end-worker-on-request.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { testEvent } from './sandbox-fixture.ts';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A sandbox of one thread that takes one batch over its link (a second goes through piscina, to that same thread), and ends when told (end-worker-on-request.ts). */
async function oneThreadPool(): Promise<SandboxPool> {
  // The sandbox process takes NODE_OPTIONS at its fork, and its workers from it.
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --require=${fileURLToPath(new URL('../fixtures/end-worker-on-request.ts', import.meta.url))}`.trim();
  try {
    // Each kv call answers after the delay its key names (`d:<ms>`).
    return await SandboxPool.start({ threads: 1, concurrentTasksPerWorker: 1, kv: async (_p, _op, args) => {
      await new Promise((resolve) => setTimeout(resolve, Number(String(args[0]).split(':')[1])));
      return null;
    } });
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
}

/** Runs `body` with a fresh one-thread pool and a plugin factory; ends worker thread 1 when `body` calls `endThread`. */
async function withPool(body: (pool: SandboxPool, waiter: (name: string) => Promise<PluginRuntimeSpec>, endThread: () => Promise<void>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-shared-thread-'));
  const pool = await oneThreadPool();
  try {
    const options = { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 512, timeoutMs: 30_000 } };
    const waiter = async (name: string) => (await loadPlugin(await writePlugin({ name, capabilities: { kv: true }, limits: { timeoutMs: 10_000 }, source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(e, ctx) { await ctx.kv.get('d:1500'); } });` }, dir), options)).spec;
    await until(() => pool.linkedWorkers === 1, 'the worker to link up');
    const endThread = async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const marker = endWorkerMarker(pool.pid as number, 1);
      writeFileSync(marker, '');
      await until(() => !existsSync(marker), 'worker thread 1 to take its marker and exit');
    };
    await body(pool, waiter, endThread);
    assert.equal(pool.crashes, 0, 'the sandbox process lived on');
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a one-event batch alone on a dying thread\'s link is re-run, not charged, while a batch sent through piscina was in flight', { timeout: 60_000 }, () => withPool(async (pool, waiter, endThread) => {
  const linked = await waiter('linked');
  const queued = await waiter('queued');
  const onLink = pool.run(linked, [testEvent({})]);
  const throughPiscina = pool.run(queued, [testEvent({})]);
  await endThread();
  const [linkedResult, queuedResult] = await Promise.all([onLink, throughPiscina]);
  assert.equal(queuedResult.outcomes[0]?.ok, true, JSON.stringify(queuedResult));
  assert.equal(linkedResult.outcomes[0]?.ok, true, `the linked event is re-run, not charged: ${JSON.stringify(linkedResult.outcomes)}`);
  assert.ok(linkedResult.restarts.some((r) => r.cause === 'crash'), 'it was on the link when the thread died');
}));

test('a one-event batch that was all its dying thread ran is charged with the crash', { timeout: 60_000 }, () => withPool(async (pool, waiter, endThread) => {
  const running = pool.run(await waiter('only'), [testEvent({})]);
  await endThread();
  const result = await running;
  assert.equal(result.outcomes[0]?.ok, false, JSON.stringify(result));
  assert.equal(result.outcomes[0]?.ok === false ? result.outcomes[0].error.code : undefined, 'PLEXUS_SANDBOX_CRASHED');
}));
