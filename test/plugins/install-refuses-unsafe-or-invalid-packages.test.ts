// Every refusal of a local package carries its code, and a refused package
// leaves nothing behind: no version folder, no staging folder, no file outside
// the state dir, an unchanged plugins.json.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, validEntries, writeRawTarball, type RawEntry } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const plugin = { name: '@acme/refused', version: '1.0.0' };

async function refused(spec: string, code: string, message: RegExp, extra: { grants?: string[]; config?: Record<string, never> | Record<string, string> } = {}): Promise<void> {
  await assert.rejects(fx.host.pluginManager.install({ spec, ...extra }), (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
  assert.deepEqual((await fx.host.pluginManager.list()).map((p) => p.installed.name), [], 'nothing recorded');
  const left = existsSync(join(fx.stateDir, 'plugins')) ? await readdir(join(fx.stateDir, 'plugins'), { recursive: true }) : [];
  assert.deepEqual(left, [], 'nothing unpacked, no staging folder left');
  assert.deepEqual(fx.host.plugins, []);
}

const raw = (file: string, entries: RawEntry[]) => writeRawTarball(fx.work, file, entries);

test('a malformed plexus manifest is PLEXUS_INVALID_MANIFEST naming the field', async () => {
  await refused(await packPlugin(fx.work, { ...plugin, plexus: { subscribe: [] } }), 'PLEXUS_INVALID_MANIFEST', /plexus\.subscribe/);
  await refused(await packPlugin(fx.work, { ...plugin, version: '1.0.1', plexus: { main: '../outside.js' } }), 'PLEXUS_INVALID_MANIFEST', /plexus\.main/);
});

test('an unknown capability is PLEXUS_INVALID_MANIFEST', async () => {
  await refused(await packPlugin(fx.work, { ...plugin, version: '1.0.2', capabilities: { kv: true, filesystem: ['/etc'] } }), 'PLEXUS_INVALID_MANIFEST', /capabilities/);
});

test('tarball entries that climb out with ../ or are absolute are refused before anything is written', async () => {
  const escape = join(fx.work, 'escaped.js');
  await refused(await raw('dotdot.tgz', [...validEntries(plugin), { path: 'package/../../../../../../../../../../../..' + escape, body: 'pwned' }]), 'PLEXUS_INVALID_MANIFEST', /outside the package/);
  await refused(await raw('nested.tgz', [...validEntries(plugin), { path: 'package/dist/../../x.js', body: 'pwned' }]), 'PLEXUS_INVALID_MANIFEST', /outside the package/);
  await refused(await raw('absolute.tgz', [...validEntries(plugin), { path: escape, body: 'pwned' }]), 'PLEXUS_INVALID_MANIFEST', /outside the package/);
  assert.equal(existsSync(escape), false, 'no file was written outside the state dir');
});

test('entries beside the package\'s one top folder are refused: a second package.json there would name another plugin', async () => {
  const other = { name: '@acme/victim', version: '9.9.9' };
  await refused(await raw('two-tops.tgz', [...validEntries(plugin), ...validEntries(other).map((e) => ({ ...e, path: e.path.replace(/^package\//, 'other/') }))]), 'PLEXUS_INVALID_MANIFEST', /outside the package's top folder "package"/);
});

test('a path that appears twice is refused: the installed file must be the one a registry checked, not a later copy', async () => {
  const evil = JSON.stringify({ name: plugin.name, version: plugin.version, type: 'module', plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['#'] } });
  for (const [i, path, type] of [[0, 'package/package.json', '0'], [1, 'package//package.json', '0'], [2, 'package/./package.json', '0'], [3, 'package/package.json', '7']] as const) {
    await refused(await raw(`twice-${i}.tgz`, [...validEntries(plugin), { path, type, body: evil }]), 'PLEXUS_INVALID_MANIFEST', /"package\.json" appears more than once/);
  }
});

test('a file where another entry needs a folder is PLEXUS_INVALID_MANIFEST, not an EEXIST while writing', async () => {
  await refused(await raw('file-and-folder.tgz', [{ path: 'package/dist', body: 'x' }, ...validEntries(plugin)]), 'PLEXUS_INVALID_MANIFEST', /"dist" is a file, and "dist\/plugin\.js" would need it to be a folder/);
});

test('symlinks, hard links, devices and FIFOs are refused', async () => {
  await refused(await raw('symlink.tgz', [...validEntries(plugin), { path: 'package/dist/passwd', type: '2', linkname: '/etc/passwd' }]), 'PLEXUS_INVALID_MANIFEST', /SymbolicLink/);
  await refused(await raw('hardlink.tgz', [...validEntries(plugin), { path: 'package/dist/shadow', type: '1', linkname: '/etc/shadow' }]), 'PLEXUS_INVALID_MANIFEST', /Link/);
  await refused(await raw('device.tgz', [...validEntries(plugin), { path: 'package/dist/tty', type: '3' }]), 'PLEXUS_INVALID_MANIFEST', /CharacterDevice/);
  await refused(await raw('fifo.tgz', [...validEntries(plugin), { path: 'package/dist/pipe', type: '6' }]), 'PLEXUS_INVALID_MANIFEST', /FIFO/);
});

test('a tarball that is not one, or has no package.json, is PLEXUS_INVALID_MANIFEST', async () => {
  await refused(await raw('empty.tgz', [{ path: 'package/dist/plugin.js', body: 'export default {}' }]), 'PLEXUS_INVALID_MANIFEST', /no package\.json/);
});

test('an apiVersion this host does not provide is PLEXUS_INCOMPATIBLE_API', async () => {
  await refused(await packPlugin(fx.work, { ...plugin, version: '2.0.0', apiVersion: '^2.0.0' }), 'PLEXUS_INCOMPATIBLE_API', /\^2\.0\.0/);
});

test('config failing the plugin schema is PLEXUS_INVALID_CONFIG; a malformed grant is PLEXUS_INVALID_REQUEST', async () => {
  const schema = { type: 'object', properties: { currency: { type: 'string', enum: ['EUR', 'USD'] } }, additionalProperties: false };
  const tgz = await packPlugin(fx.work, { ...plugin, version: '1.0.3', config: schema });
  await refused(tgz, 'PLEXUS_INVALID_CONFIG', /currency/, { config: { currency: 'XYZ' } });
  await refused(tgz, 'PLEXUS_INVALID_REQUEST', /grant/, { grants: ['filesystem:/etc'] });
});

test('a malformed grant is refused before any registry is asked', async () => {
  // Port 9 on loopback answers nothing: had the install gone there first, the refusal would be PLEXUS_UNAVAILABLE.
  await assert.rejects(fx.host.pluginManager.install({ spec: '@acme/never-fetched', registry: 'http://127.0.0.1:9/', grants: ['bogus'] }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PLEXUS_INVALID_REQUEST', err.message);
    assert.match(err.message, /grant "bogus"/);
    return true;
  });
});

test('a relative path or a git URL is refused; a missing file is PLEXUS_NOT_FOUND', async () => {
  await refused('./some/folder', 'PLEXUS_INVALID_REQUEST', /absolute/);
  await refused('git+https://github.com/acme/plugin.git', 'PLEXUS_INVALID_REQUEST', /not a package name/);
  await refused(join(fx.work, 'missing.tgz'), 'PLEXUS_NOT_FOUND', /does not exist/);
});
