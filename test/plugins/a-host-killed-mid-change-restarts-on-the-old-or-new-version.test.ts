// A host killed (SIGKILL) at any file operation of an install, upgrade,
// configure or uninstall restarts into a consistent state: plugins.json names
// only complete version folders, leftovers are swept, and what runs is the old
// version or the new one, never a mix or nothing. Each case prepares the state
// dir with an in-process host, runs the one change in a child host that
// crash-hook.ts kills at a chosen point, and restarts a host on the same dir.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import type { CrashOperation } from './crash-child.ts';
import { writePluginFolder, type TestPlugin } from './plugin-packages.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const HOOK = new URL('./crash-hook.ts', import.meta.url).href;
const NAME = '@acme/crashy';
const FOLDER = `plugins/${NAME}`;

interface Case {
  stateDir: string;
  work: string;
  /** A host on the state dir (started by start()). */
  host: Host;
  start(): Promise<Host>;
  /** The package folder of NAME at `version` (a helper module beside the entry, so a partial folder cannot pass for whole). */
  pkg(version: string, extra?: Partial<TestPlugin>): Promise<string>;
  /** Stops the host, runs `operation` in a child killed at `crashAt`, then starts a host again. */
  crash(operation: CrashOperation, crashAt: string): Promise<void>;
  versions(): Promise<string[]>;
  state(): Promise<{ plugins: { name: string; version: string; root: string; config: unknown }[] }>;
  close(): Promise<void>;
}

async function setUp(): Promise<Case> {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-crash-state-'));
  const work = await mkdtemp(join(tmpdir(), 'plexus-crash-work-'));
  const config = { ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } };
  const c: Case = {
    stateDir,
    work,
    host: undefined as unknown as Host,
    async start() {
      c.host = await Host.start(config, { logger: new RecordingLogger() });
      return c.host;
    },
    pkg: (version, extra = {}) =>
      writePluginFolder(work, {
        name: NAME,
        version,
        execute: `const { served } = await import('./helper.js'); ctx.log.info('served', { id: event.id, served: served(ctx) });`,
        files: { 'dist/helper.js': `export const served = (ctx) => ctx.plugin.version;\n` },
        config: { type: 'object', properties: { n: { type: 'number' } } },
        ...extra,
      }),
    async crash(operation, crashAt) {
      await c.host.stop();
      const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', '--import', HOOK, CHILD, stateDir, JSON.stringify(operation)], {
        env: { ...process.env, CRASH_AT: crashAt },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
      assert.equal(signal, 'SIGKILL', `the child was to be killed at ${crashAt}; it exited with ${code}:\n${stderr}`);
      await c.start();
    },
    async versions() {
      return existsSync(join(stateDir, FOLDER)) ? (await readdir(join(stateDir, FOLDER))).sort() : [];
    },
    async state() {
      if (!existsSync(join(stateDir, 'plugins.json'))) return { plugins: [] };
      return JSON.parse(await readFile(join(stateDir, 'plugins.json'), 'utf8')) as Awaited<ReturnType<Case['state']>>;
    },
    async close() {
      await c.host.stop();
      await rm(stateDir, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    },
  };
  await c.start();
  return c;
}

/** What the restarted host runs of NAME (version), and that every root plugins.json names is a whole folder. */
async function running(c: Case): Promise<string | undefined> {
  for (const p of (await c.state()).plugins) {
    for (const file of ['package.json', 'dist/plugin.js', 'dist/helper.js', '.plexus-integrity']) assert.ok(existsSync(join(c.stateDir, p.root, file)), `${p.root}/${file} is missing`);
  }
  assert.deepEqual(c.host.failedPlugins.map((f) => f.error.message), []);
  assert.deepEqual((await readdir(join(c.stateDir, 'plugins'))).filter((e) => e.startsWith('.')), [], 'no staging folder is left');
  assert.deepEqual((await readdir(c.stateDir)).filter((e) => e.endsWith('.tmp')), [], 'no temp state file is left');
  return c.host.plugins.find((p) => p.name === NAME)?.spec.version;
}

test('killed before a first install moves its unpacked folder into place: nothing installed, nothing left', async () => {
  const c = await setUp();
  try {
    await c.crash({ install: { spec: await c.pkg('1.0.0') } }, `rename-before:${FOLDER}/1.0.0`);
    assert.equal(await running(c), undefined);
    assert.deepEqual(await c.versions(), []);
    assert.equal((await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') })).change, 'installed');
  } finally {
    await c.close();
  }
});

test('killed after a first install moved its folder into place but before plugins.json: the folder is swept', async () => {
  const c = await setUp();
  try {
    await c.crash({ install: { spec: await c.pkg('1.0.0') } }, 'rename-before:plugins.json');
    assert.equal(await running(c), undefined);
    assert.deepEqual(await c.versions(), []);
  } finally {
    await c.close();
  }
});

test('killed between an upgrade\'s folder and plugins.json: the old version runs; installing again activates the new', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    await c.crash({ install: { spec: await c.pkg('1.1.0') } }, 'rename-before:plugins.json');
    assert.equal(await running(c), '1.0.0');
    assert.deepEqual(await c.versions(), ['1.0.0'], 'the whole 1.1.0 folder plugins.json never named is swept');
    assert.equal((await c.host.pluginManager.install({ spec: await c.pkg('1.1.0') })).change, 'upgraded');
    assert.equal(await running(c), '1.1.0');
  } finally {
    await c.close();
  }
});

test('killed right after an upgrade wrote plugins.json: the new version runs', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    await c.crash({ install: { spec: await c.pkg('1.1.0') } }, 'rename-after:plugins.json');
    assert.equal(await running(c), '1.1.0');
    assert.deepEqual(await c.versions(), ['1.1.0'], 'the replaced 1.0.0, kept only for batches of the killed host, is swept');
  } finally {
    await c.close();
  }
});

test('killed part way through removing an old version folder: a later install of that version gets a whole folder', async () => {
  const c = await setUp();
  try {
    const asking = { capabilities: { http: { hosts: ['api.example.com'] } } };
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    assert.equal((await c.host.pluginManager.install({ spec: await c.pkg('1.1.0', asking) })).change, 'pending');
    // 1.2.0 replaces 1.0.0 (kept for its batches) and drops the pending 1.1.0, removing its folder: killed in the middle of that.
    // (A start removes every folder plugins.json does not name, so the folder a change removes here is one plugins.json named when the child started.)
    await c.crash({ install: { spec: await c.pkg('1.2.0') } }, `rm-partial:${FOLDER}/1.1.0`);
    assert.equal(await running(c), '1.2.0');
    const back = await c.host.pluginManager.install({ spec: await c.pkg('1.1.0', asking), grants: ['http:api.example.com'] });
    assert.equal(back.change, 'downgraded');
    assert.equal(await running(c), '1.1.0');
    assert.equal(back.installed.root, `${FOLDER}/1.1.0`);
  } finally {
    await c.close();
  }
});

test('killed part way through the start\'s removal of the version an upgrade replaced: a later install of that version gets a whole folder', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    await c.host.pluginManager.install({ spec: await c.pkg('1.1.0') });
    assert.deepEqual(await c.versions(), ['1.0.0', '1.1.0'], '1.0.0 kept for batches of the running host');
    // The child's start removes 1.0.0, which plugins.json does not name: killed in the middle of that, before its install.
    await c.crash({ install: { spec: await c.pkg('1.2.0') } }, `rm-partial:${FOLDER}/1.0.0`);
    assert.equal(await running(c), '1.1.0');
    assert.deepEqual(await c.versions(), ['1.1.0']);
    const back = await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    assert.equal(back.change, 'downgraded');
    assert.equal(await running(c), '1.0.0');
    assert.equal(back.installed.root, `${FOLDER}/1.0.0`);
  } finally {
    await c.close();
  }
});

test('killed part way through an uninstall\'s removal: the restart removes the rest', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    await c.crash({ uninstall: NAME }, `rm-partial:${FOLDER}`);
    assert.equal(await running(c), undefined);
    assert.deepEqual(await c.versions(), []);
  } finally {
    await c.close();
  }
});

test('killed while a configure swapped in the new config but had not written it: the old config runs; after: the new', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0'), config: { n: 1 } });
    await c.crash({ update: { name: NAME, patch: { config: { n: 2 } } } }, 'rename-before:plugins.json');
    assert.equal(await running(c), '1.0.0');
    assert.deepEqual((await c.host.pluginManager.get(NAME)).installed.config, { n: 1 });
    await c.crash({ update: { name: NAME, patch: { config: { n: 2 } } } }, 'rename-after:plugins.json');
    assert.equal(await running(c), '1.0.0');
    assert.deepEqual((await c.host.pluginManager.get(NAME)).installed.config, { n: 2 });
  } finally {
    await c.close();
  }
});

test('two installs of the same version at once: one folder, one record, the second a reinstall', async () => {
  const c = await setUp();
  try {
    const spec = await c.pkg('1.0.0');
    const changes = await Promise.all([c.host.pluginManager.install({ spec }), c.host.pluginManager.install({ spec })]);
    assert.deepEqual(changes.map((x) => x.change), ['installed', 'reinstalled']);
    assert.deepEqual(await c.versions(), ['1.0.0']);
    assert.deepEqual((await c.state()).plugins.map((p) => p.root), [`${FOLDER}/1.0.0`]);
    assert.equal(await running(c), '1.0.0');
  } finally {
    await c.close();
  }
});

test('plugins.json edited by hand to name a missing folder: the host starts, reports the plugin as PLEXUS_NOT_FOUND naming the folder and what to do', async () => {
  const c = await setUp();
  try {
    await c.host.pluginManager.install({ spec: await c.pkg('1.0.0') });
    await c.host.stop();
    await rm(join(c.stateDir, FOLDER, '1.0.0'), { recursive: true });
    await c.start();
    const [failure] = c.host.failedPlugins;
    assert.equal(failure?.name, NAME);
    assert.equal((failure?.error as { code?: string }).code, 'PLEXUS_NOT_FOUND');
    const message = failure?.error.message ?? '';
    assert.ok(message.includes(`the folder ${join(c.stateDir, FOLDER, '1.0.0')} that plugins.json names for ${NAME}@1.0.0 does not exist`), message);
    assert.ok(message.includes(`plexus install ${NAME}@1.0.0`), message);
    assert.ok(message.includes('remove its entry from plugins.json'), message);
    assert.doesNotMatch(message, /package\.json/);
  } finally {
    await c.close();
  }
});
