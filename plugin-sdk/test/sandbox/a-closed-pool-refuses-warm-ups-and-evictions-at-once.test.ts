// A warm-up or eviction asked of a pool whose sandbox process has already
// stopped was posted to nobody and never answered: a plugin change that
// reached the sandbox after the host's stop closed it hung for good, and so
// did every plugin operation queued behind it. Such a request is refused at
// once with PLEXUS_UNAVAILABLE.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

/** `work`'s outcome, or 'still pending' when it has none within `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | 'still pending' | { rejected: unknown }> {
  return Promise.race([work.then((v) => v, (err: unknown) => ({ rejected: err })), new Promise<'still pending'>((resolve) => setTimeout(() => resolve('still pending'), ms).unref())]);
}

test('after close(), warm and evict are refused at once with PLEXUS_UNAVAILABLE', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-closed-pool-'));
  try {
    const { spec } = await loadPlugin(await writePlugin({ name: 'closed', source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });" }, dir), { grants: [], secrets: {} });
    const pool = await SandboxPool.start({ threads: 1 });
    await pool.close();
    for (const [what, work] of [['warm', pool.warm(spec)], ['evict', pool.evict(spec.key)]] as const) {
      const outcome = await within(work as Promise<unknown>, 3000);
      assert.notEqual(outcome, 'still pending', `${what} was never answered`);
      assert.equal(((outcome as { rejected?: { code?: string } }).rejected)?.code, 'PLEXUS_UNAVAILABLE', `${what}: ${JSON.stringify(outcome)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
