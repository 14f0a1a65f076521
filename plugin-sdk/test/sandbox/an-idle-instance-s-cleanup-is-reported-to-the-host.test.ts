// A worker evicts an instance left unused for idleMs and runs its cleanup
// hook. What that hook logged, and whether it threw, reached nobody: only
// evictions the host asked for and the shutdown reported their cleanups.
// Idle ones now reach the pool's onCleanup as well.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { CleanupReport } from '../../src/sandbox/protocol.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

test("an instance evicted for being idle reports its cleanup hook's logs to the host", { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-idle-cleanup-'));
  const reports: CleanupReport[] = [];
  const pool = await SandboxPool.start({ threads: 1, idleMs: 500, onCleanup: (r) => reports.push(...r) });
  try {
    const root = await writePlugin({
      name: 'idle-tidy',
      source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute() {}, async cleanup(ctx) { ctx.log.info('tidied after idling'); } });`,
    }, dir);
    const { spec } = await loadPlugin(root, { grants: [], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } });
    const result = await pool.run(spec, [{ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.event', data: {} }]);
    assert.equal(result.outcomes[0]?.ok, true);
    const deadline = Date.now() + 10_000;
    while (reports.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(reports.length, 1, 'one cleanup reported');
    assert.equal(reports[0]?.key, spec.key);
    assert.deepEqual([reports[0]?.plugin, reports[0]?.version], [spec.name, spec.version]);
    assert.deepEqual(reports[0]?.outcome.logs.map((l) => l.message), ['tidied after idling']);
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
