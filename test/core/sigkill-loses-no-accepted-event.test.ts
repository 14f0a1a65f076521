// The crash test of issue 3: events flow into the embedded default while the
// host is killed with SIGKILL at random moments and restarted. Afterwards
// every event that got its 202 was handled by the plugin or is in the DLQ:
// none lost. Duplicates (handled more than once) are allowed and counted.
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
const KILLS = 4;
const PLUGIN = '@fixtures/crash-recorder';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startHost(stateDir: string, adminPort: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'start', '--state-dir', stateDir, '--admin-listen', `127.0.0.1:${adminPort}`, '--listen', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PLEXUS_LOG_LEVEL: 'warn' },
  });
}

async function waitReady(url: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
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

test('SIGKILL at random moments loses no accepted event', { timeout: 180_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-crash-'));
  try {
    const pluginRoot = await writePlugin({
      name: 'crash-recorder',
      subscribe: ['crash.#'],
      capabilities: { kv: true },
      source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  if (event.data?.poison) throw new Error('poison');
  await ctx.kv.incr('seen:' + event.id);
} });`,
    }, stateDir);
    await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: PLUGIN, version: '1.0.0', root: pluginRoot, enabled: true, grants: ['kv'], config: {}, retry: { maxRetries: 2, initialDelayMs: 50, maxDelayMs: 200 } }] }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const accepted = new Set<string>();
    let refused = 0;
    let host = startHost(stateDir, port);
    await waitReady(url);
    const token = (await readFile(join(stateDir, 'admin-token'), 'utf8')).trim();

    let running = true;
    const emitter = async (lane: number) => {
      for (let i = 0; running; i++) {
        try {
          const res = await fetch(`${url}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'crash.test', data: { lane, i, poison: i % 97 === 0 } }),
          });
          if (res.status === 202) accepted.add(((await res.json()) as { id: string }).id);
          else refused++;
        } catch {
          refused++; // the host is down: this event was never accepted
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const lanes = Array.from({ length: 4 }, (_, lane) => emitter(lane));

    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 900));
      host.kill('SIGKILL');
      await new Promise((r) => host.once('exit', r));
      host = startHost(stateDir, port);
      await waitReady(url);
    }
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(lanes);

    // Let the last host finish everything it holds, then stop it cleanly.
    const store = await SqliteStore.open(join(stateDir, 'plexus.db'));
    const deadline = Date.now() + 60_000;
    while ((await store.pending()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    host.kill('SIGTERM');
    const code = await new Promise((r) => host.once('exit', r));
    assert.equal(code, 0, 'SIGTERM exits 0');

    assert.equal((await store.pending()).length, 0, 'nothing left pending');
    const dead = new Set((await store.listDlq({ plugin: PLUGIN }, { limit: 100_000 })).map((e) => e.event.id));
    let lost = 0;
    let duplicates = 0;
    for (const id of accepted) {
      const seen = await store.kvGet(PLUGIN, `seen:${id}`, Date.now());
      if (seen === null && !dead.has(id)) lost++;
      if (seen !== null && Number(seen) > 1) duplicates += Number(seen) - 1;
    }
    await store.close();
    console.log(`crash test: ${accepted.size} accepted, ${dead.size} dead-lettered, ${duplicates} duplicate executions, ${refused} requests refused while down, ${KILLS} SIGKILLs`);
    assert.ok(accepted.size > 200, `only ${accepted.size} events were accepted`);
    assert.ok(dead.size > 0, 'poison events reached the DLQ');
    assert.equal(lost, 0, `${lost} accepted events were neither handled nor dead-lettered`);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
