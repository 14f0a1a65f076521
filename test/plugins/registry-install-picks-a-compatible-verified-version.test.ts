// Installs from a real registry on a loopback port, through pacote: the
// highest version in range whose apiVersion accepts this host; refusals
// naming the versions seen; a tarball that does not match the registry's
// integrity refused, and one that matches but holds another package too;
// and no package script ever run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packTarball, publish, publishBody, sri, type PackageJson } from '../../registry/test/helpers/packages.ts';
import { TOKEN } from '../../registry/test/helpers/registry-fixture.ts';
import { closedPort } from '../cli/cli-fixture.ts';
import { hostAndRegistryAroundTheseTests } from './host-and-registry.ts';
import { packageJson, pluginSource, writePluginFolder, type TestPlugin } from './plugin-packages.ts';

const setup = hostAndRegistryAroundTheseTests();

async function published(p: TestPlugin): Promise<Buffer> {
  const pkg = packageJson(p) as PackageJson;
  const tarball = await packTarball(pkg, { 'dist/plugin.js': pluginSource(p) });
  const res = await publish(setup.registry.url, pkg, TOKEN, publishBody(pkg, tarball));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return tarball;
}

const install = (spec: string) => setup.fx.host.pluginManager.install({ spec, registry: setup.registry.url });
const code = (expected: string, message: RegExp) => (err: Error & { code?: string }) => {
  assert.equal(err.code, expected, err.message);
  assert.match(err.message, message);
  return true;
};

test('the highest version in range whose apiVersion accepts the host; others refused naming what was seen', async () => {
  const name = '@acme/ranged';
  await published({ name, version: '1.0.0' });
  await published({ name, version: '1.1.0' });
  await published({ name, version: '2.0.0', apiVersion: '^2.0.0' });

  const latestCompatible = await install(name);
  assert.equal(latestCompatible.installed.version, '1.1.0', '2.0.0 needs host API 2.x: skipped');
  assert.match(latestCompatible.installed.source ?? '', /@acme\/ranged@1\.1\.0 from http:\/\/127\.0\.0\.1/);
  assert.equal((await install(`${name}@~1.0.0`)).change, 'downgraded');
  assert.deepEqual(setup.fx.host.plugins.map((p) => p.spec.version), ['1.0.0']);

  await assert.rejects(install(`${name}@^2.0.0`), code('PLEXUS_INCOMPATIBLE_API', /versions seen: 2\.0\.0 \(apiVersion \^2\.0\.0\)/));
  await assert.rejects(install(`${name}@latest`), code('PLEXUS_INCOMPATIBLE_API', /2\.0\.0/));
  await assert.rejects(install(`${name}@^3.0.0`), code('PLEXUS_NOT_FOUND', /no version of @acme\/ranged matches/));
  assert.deepEqual(setup.fx.host.plugins.map((p) => p.spec.version), ['1.0.0'], 'refusals leave the running version alone');
});

test('a tarball that does not match the registry integrity is PLEXUS_INTEGRITY_MISMATCH', async () => {
  const name = '@acme/tampered';
  await published({ name, version: '1.0.0' });
  // Someone with access to the registry's disk swaps the tarball for another valid one.
  const other = await packTarball(packageJson({ name, version: '1.0.0', execute: 'globalThis.evil = true;' }) as PackageJson, { 'dist/plugin.js': pluginSource({ name, version: '1.0.0', execute: 'globalThis.evil = true;' }) });
  await writeFile(join(setup.registry.storage, '@acme%2ftampered', 'tampered-1.0.0.tgz'), other);
  await assert.rejects(install(name), code('PLEXUS_INTEGRITY_MISMATCH', /integrity/));
  assert.equal((await setup.fx.host.pluginManager.list()).some((p) => p.installed.name === name), false);
  assert.equal(existsSync(join(setup.fx.stateDir, 'plugins', '@acme', 'tampered')), false);
});

test('a verified tarball whose package.json names another package or version is PLEXUS_INVALID_MANIFEST', async () => {
  const name = '@acme/alias';
  await published({ name, version: '1.0.0' });
  // A registry (or its disk) serving, under a consistent integrity, the package of another plugin.
  const victim = { name: '@acme/victim', version: '9.9.9' };
  const other = await packTarball(packageJson(victim) as PackageJson, { 'dist/plugin.js': pluginSource(victim) });
  const folder = join(setup.registry.storage, '@acme%2falias');
  await writeFile(join(folder, 'alias-1.0.0.tgz'), other);
  const packument = JSON.parse(await readFile(join(folder, 'packument.json'), 'utf8')) as { versions: Record<string, { dist: Record<string, unknown> }> };
  const dist = (packument.versions['1.0.0'] as { dist: Record<string, unknown> }).dist;
  dist.integrity = sri(other);
  delete dist.shasum;
  await writeFile(join(folder, 'packument.json'), JSON.stringify(packument));
  await assert.rejects(install(name), code('PLEXUS_INVALID_MANIFEST', /the tarball of @acme\/alias@1\.0\.0 holds the package\.json of @acme\/victim@9\.9\.9/));
  assert.equal((await setup.fx.host.pluginManager.list()).some((p) => p.installed.name === victim.name), false);
});

test('an unknown package is PLEXUS_NOT_FOUND; an unreachable registry is PLEXUS_UNAVAILABLE', async () => {
  await assert.rejects(install('@acme/nobody-published-this'), code('PLEXUS_NOT_FOUND', /@acme\/nobody-published-this/));
  const port = await closedPort();
  await assert.rejects(setup.fx.host.pluginManager.install({ spec: '@acme/ranged', registry: `http://127.0.0.1:${port}` }), code('PLEXUS_UNAVAILABLE', /reachable/));
});

test('package scripts never run, from a registry or a folder', async () => {
  const marker = join(setup.fx.work, 'scripts-ran');
  const scripts = Object.fromEntries(['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'prepublish'].map((s) => [s, `node -e "require('fs').writeFileSync('${marker}', '${s}')"`]));
  const name = '@acme/scripted';
  const p: TestPlugin = { name, version: '1.0.0' };
  const pkg = { ...(packageJson(p) as PackageJson), scripts };
  const res = await publish(setup.registry.url, pkg, TOKEN, publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': pluginSource(p) })));
  assert.equal(res.status, 201);
  assert.equal((await install(name)).installed.version, '1.0.0');
  const folder = await writePluginFolder(setup.fx.work, { name, version: '1.0.1', files: { 'package.json': JSON.stringify({ ...packageJson({ name, version: '1.0.1' }), scripts }) } });
  assert.equal((await setup.fx.host.pluginManager.install({ spec: folder })).installed.version, '1.0.1');
  assert.equal(existsSync(marker), false, 'no lifecycle script ran');
});
