// CONTRACT §5 `partitionkey` across a SIGKILL: a real host runs K1 (which
// fails, so it waits for its retry), with K2 and K3 of the same key waiting
// behind it, and is killed. The restarted host must run them in acceptance
// order: every start of K1 (its retries) before K2, K2 before K3, and K4
// (accepted after the restart) last. The plugin records its starts in its kv.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { startPlexus, type PlexusProcess } from '../helpers/plexus-process.ts';

const PLUGIN = '@fixtures/pk-recorder';

test('a host killed while an event of a key waits for its retry runs the key in acceptance order after its restart', { timeout: 120_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-pk-crash-'));
  let host: PlexusProcess | undefined;
  try {
    const root = await writePlugin({
      name: 'pk-recorder', subscribe: ['pk.#'], capabilities: { kv: true },
      source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const n = await ctx.kv.incr('n:' + event.partitionkey, 1);
  await ctx.kv.set('start:' + event.partitionkey + ':' + n, event.data.name);
  if (event.data.fail) throw new Error('fails');
} });`,
    }, stateDir);
    // K1 fails every time: 3 retries, each up to 1.5 s away, so the kill most likely finds it waiting.
    await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: PLUGIN, version: '1.0.0', root, enabled: true, grants: ['kv'], config: {}, retry: { maxRetries: 3, initialDelayMs: 1500, multiplier: 1, maxDelayMs: 1500 } }] }));
    host = await startPlexus(stateDir);
    const post = async (name: string, fail = false): Promise<void> => {
      const res = await (host as PlexusProcess).emit({ type: 'pk.e', partitionkey: 'K', data: { name, fail } });
      assert.equal(res.status, 202);
    };
    await post('K1', true);
    await post('K2');
    await post('K3');
    await new Promise((r) => setTimeout(r, 300));
    await host.stop('SIGKILL');
    host = await startPlexus(stateDir);
    await post('K4');

    const store = await SqliteStore.open(join(stateDir, 'plexus.db'));
    try {
      const deadline = Date.now() + 60_000;
      while ((await store.pending()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const value = async (key: string): Promise<unknown> => {
        const text = await store.kvGet(PLUGIN, key, Date.now());
        return text === null ? null : (JSON.parse(text) as unknown);
      };
      const starts: string[] = [];
      const n = Number(await value('n:K'));
      for (let i = 1; i <= n; i++) starts.push(String(await value(`start:K:${i}`)));
      // K1 runs at least 4 times (a run the kill cut short runs again), then each of the others once or more, never out of order.
      const firstOf = (name: string) => starts.indexOf(name);
      const lastOf = (name: string) => starts.lastIndexOf(name);
      assert.ok(starts.filter((s) => s === 'K1').length >= 4, `K1 ran ${starts.join(', ')}`);
      for (const [earlier, later] of [['K1', 'K2'], ['K2', 'K3'], ['K3', 'K4']] as const) {
        assert.ok(firstOf(later) > lastOf(earlier), `${later} started before ${earlier} was over: ${starts.join(', ')}`);
      }
    } finally {
      await store.close();
    }
  } finally {
    await host?.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
