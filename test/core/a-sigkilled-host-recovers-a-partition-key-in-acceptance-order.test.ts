// CONTRACT §5 `partitionkey` across a SIGKILL: a real host runs K1 (which
// fails, so it waits for its retry), with K2 and K3 of the same key waiting
// behind it, and is killed. The restarted host must run them in acceptance
// order: every start of K1 (its retries) before K2, K2 before K3, and K4
// (accepted after the restart) last. The plugin records its starts in its kv.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLUGIN = '@fixtures/pk-recorder';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startHost(stateDir: string, adminPort: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'start', '--state-dir', stateDir, '--admin-listen', `127.0.0.1:${adminPort}`, '--listen', '127.0.0.1:0'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PLEXUS_LOG_LEVEL: 'warn' },
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the host did not become ready');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a host killed while an event of a key waits for its retry runs the key in acceptance order after its restart', { timeout: 120_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-pk-crash-'));
  let host: ChildProcess | undefined;
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
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    host = startHost(stateDir, port);
    await waitReady(url);
    const token = (await readFile(join(stateDir, 'admin-token'), 'utf8')).trim();
    const post = async (name: string, fail = false): Promise<void> => {
      const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'pk.e', partitionkey: 'K', data: { name, fail } }) });
      assert.equal(res.status, 202);
    };
    await post('K1', true);
    await post('K2');
    await post('K3');
    await new Promise((r) => setTimeout(r, 300));
    host.kill('SIGKILL');
    await new Promise((r) => host?.once('exit', r));
    host = startHost(stateDir, port);
    await waitReady(url);
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
    host?.kill('SIGTERM');
    if (host && host.exitCode === null) await new Promise((r) => host?.once('exit', r));
    await rm(stateDir, { recursive: true, force: true });
  }
});
