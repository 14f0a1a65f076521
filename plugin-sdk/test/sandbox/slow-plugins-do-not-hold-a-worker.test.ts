// Batches run as sync calls into the isolate while they finish within a few
// ms (the cheap path), which holds the worker thread for that long. A plugin
// whose batches take longer must run async afterwards, so another plugin
// served by the same worker is not queued behind it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { writePlugin, type FixturePlugin } from '../fixtures/write-plugin.ts';

let pool: SandboxPool;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-sandbox-slow-'));
  // One worker: both plugins are necessarily served by it.
  pool = await SandboxPool.start({ threads: 1, kv: async () => 'null' });
});
after(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function spec(fixture: FixturePlugin): Promise<PluginRuntimeSpec> {
  const root = await writePlugin(fixture, dir);
  return (await loadPlugin(root, { grants: [], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
}

const run = (plugin: PluginRuntimeSpec, data: Record<string, unknown> = {}) => pool.run(plugin, [{ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.event', data }]);

test('after one batch over the sync budget, a busy plugin runs beside a fast one instead of in front of it', async () => {
  const busy = await spec({ name: 'busy-loop', source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(e) { const end = Date.now() + e.data.ms; while (Date.now() < end); } });` });
  const fast = await spec({ name: 'fast', source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });` });
  assert.equal((await run(fast)).outcomes[0]?.ok, true);
  assert.equal((await run(busy, { ms: 30 })).outcomes[0]?.ok, true, 'over the budget: this instance now runs async');

  const started = performance.now();
  let busyDoneAt = 0;
  const long = run(busy, { ms: 800 }).then((result) => {
    busyDoneAt = performance.now() - started;
    return result;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const quick = await run(fast);
  const fastDoneAt = performance.now() - started;
  assert.equal(quick.outcomes[0]?.ok, true);
  assert.equal(busyDoneAt, 0, `the fast plugin (done after ${Math.round(fastDoneAt)} ms) did not wait for the busy batch`);
  assert.ok(fastDoneAt < 600, `the fast plugin was served in ${Math.round(fastDoneAt)} ms while the busy batch ran`);
  assert.equal((await long).outcomes[0]?.ok, true);
});
