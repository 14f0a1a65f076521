// The whole path with the real tools: the npm CLI publishes two versions of a
// plugin to the registry on a loopback port (2.0.0 needs host API 2.x), `npm
// view` shows them, `plexus install` puts the compatible one into a running
// `plexus start`, events flow through POST /v1/events, a compatible 1.1.0 is
// published and installed under a steady stream: zero lost, zero failed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { npmClient, type NpmClient } from '../../registry/test/helpers/npm-cli.ts';
import { startFixture, TOKEN, type RegistryFixture } from '../../registry/test/helpers/registry-fixture.ts';
import { startPlexus, type PlexusProcess } from '../helpers/plexus-process.ts';

const NAME = '@acme/plexus-order-counter';
let registry: RegistryFixture;
let npm: NpmClient;
let work: string;

before(async () => {
  registry = await startFixture();
  work = await mkdtemp(join(tmpdir(), 'plexus-e2e-npm-'));
  npm = await npmClient(join(work, 'npm'), registry.url, TOKEN);
});
after(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
});

/** A plugin package as an author has it after `plexus-plugin build`. */
async function authorPackage(version: string, apiVersion: string): Promise<string> {
  const dir = join(work, `plugin-${version}`);
  await mkdir(join(dir, 'dist'), { recursive: true });
  const pkg = {
    name: NAME, version, type: 'module', license: 'MIT', keywords: ['plexus-plugin'], files: ['dist'],
    plexus: { apiVersion, main: 'dist/plugin.js', subscribe: ['orders.#'], capabilities: { kv: true } },
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  await writeFile(join(dir, 'dist/plugin.js'), `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  async execute(event, ctx) {
    await ctx.kv.incr('orders');
    ctx.log.info('served', { id: event.id });
  },
});
`);
  return dir;
}

async function npmOk(args: string[], cwd: string): Promise<string> {
  const result = await npm.run(args, cwd);
  assert.equal(result.code, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

test('npm publish → npm view → plexus install → events → publish 1.1.0 → upgrade under load: zero lost, zero failed', { timeout: 240_000 }, async () => {
  await npmOk(['publish', '--access', 'public'], await authorPackage('1.0.0', '^1.0.0'));
  await npmOk(['publish', '--access', 'public'], await authorPackage('2.0.0', '^2.0.0'));
  assert.deepEqual(JSON.parse(await npmOk(['view', NAME, 'versions', '--json'], work)), ['1.0.0', '2.0.0']);
  assert.equal(JSON.parse(await npmOk(['view', `${NAME}@2.0.0`, 'plexus.apiVersion', '--json'], work)), '^2.0.0');

  const plexus: PlexusProcess = await startPlexus(join(work, 'state'));
  try {
    const installed = await plexus.cli('install', NAME, '--registry', registry.url, '--grant', 'kv');
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(installed.stdout.trim(), `installed ${NAME}@1.0.0 (active)`, 'the highest version this host can run');
    const listed = JSON.parse((await plexus.cli('plugins', '--json')).stdout) as { installed: { name: string; version: string; status: string }[] };
    assert.deepEqual(listed.installed.map((p) => [p.name, p.version, p.status]), [[NAME, '1.0.0', 'active']]);

    // A steady stream, one event at a time, until told to stop.
    const sent: { id: string; startedAt: number }[] = [];
    let streaming = true;
    const stream = (async () => {
      for (let n = 1; streaming; n++) {
        const id = `order-${n}`;
        const startedAt = Date.now();
        const res = await plexus.emit({ type: 'orders.eu.created', id, data: { n } });
        assert.equal(res.status, 202, await res.text());
        sent.push({ id, startedAt });
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    let upgradedAt = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // npm will not move `latest` below 2.0.0: a 1.x maintenance release goes out under its own tag.
      await npmOk(['publish', '--access', 'public', '--tag', 'v1-latest'], await authorPackage('1.1.0', '^1.0.0'));
      const upgraded = await plexus.cli('install', NAME, '--registry', registry.url);
      upgradedAt = Date.now();
      assert.equal(upgraded.code, 0, upgraded.stderr);
      assert.equal(upgraded.stdout.trim(), `upgraded ${NAME}@1.1.0 (active)`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      streaming = false;
      await stream;
    }

    const served = new Map<string, string[]>();
    const deadline = Date.now() + 60_000;
    while (served.size < sent.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      served.clear();
      for (const line of plexus.logs()) {
        if (line.msg === 'served' && line.plugin === NAME) served.set(String(line.id), [...(served.get(String(line.id)) ?? []), String(line.version)]);
      }
    }
    const lost = sent.filter((s) => !served.has(s.id)).map((s) => s.id);
    const repeated = [...served].filter(([, versions]) => versions.length > 1).map(([id]) => id);
    assert.ok(sent.length >= 100, `a steady stream (${sent.length} events)`);
    assert.deepEqual(lost, [], 'zero lost');
    assert.deepEqual(repeated, [], 'zero failed: no event needed a second attempt');
    const dlq = await fetch(`${plexus.adminUrl}/v1/dlq`, { headers: { authorization: `Bearer ${plexus.token}` } });
    assert.equal(((await dlq.json()) as { total: number }).total, 0, 'nothing dead-lettered');
    const versions = new Set(sent.map((s) => served.get(s.id)?.[0]));
    assert.deepEqual([...versions].sort(), ['1.0.0', '1.1.0'], 'both versions served part of the stream');
    for (const s of sent.filter((e) => e.startedAt > upgradedAt)) assert.equal(served.get(s.id)?.[0], '1.1.0', `${s.id}, sent after the upgrade, is served by 1.1.0`);
    const trouble = plexus.logs().filter((l) => l.level === 'error' || l.level === 'warn' || l.level === 'fatal');
    assert.deepEqual(trouble.map((l) => l.msg), [], 'no warning or error logged');
  } finally {
    assert.equal(await plexus.stop(), 0);
  }
});
