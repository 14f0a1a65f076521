// The registry checks a plugin's package.json (name, version, plexus manifest,
// main) before it accepts a publish; the host installs what the tarball holds.
// Those must be the same file. A tarball that spells a path two ways
// (package//package.json, package/./package.json), holds it twice (a
// ContiguousFile after the File) or holds what the host never installs
// (links, a file where the package/ folder must be) is refused at publish.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publish, publishBody, request } from '../../registry/test/helpers/packages.ts';
import { startFixture, TOKEN, type RegistryFixture } from '../../registry/test/helpers/registry-fixture.ts';
import { packageJson, rawTarball, validEntries, type RawEntry } from './plugin-packages.ts';

let registry: RegistryFixture;
before(async () => {
  registry = await startFixture();
});
after(() => registry.close());

test('tarballs with a path spelled twice, a link or a file for package/ are refused at publish, with nothing listed', async () => {
  const cases: [string, (name: string) => RawEntry][] = [
    ['package/./package.json', (name) => ({ path: 'package/./package.json', body: evilManifest(name) })],
    ['package//package.json', (name) => ({ path: 'package//package.json', body: evilManifest(name) })],
    ['a ContiguousFile package/package.json after the File', (name) => ({ path: 'package/package.json', type: '7', body: evilManifest(name) })],
    ['a symlink', () => ({ path: 'package/dist/link', type: '2', linkname: '/etc/passwd' })],
  ];
  for (const [i, [label, extra]] of cases.entries()) {
    const plugin = { name: `twice-${i}`, version: '1.0.0' };
    const pkg = packageJson(plugin) as { name: string; version: string };
    const res = await publish(registry.url, pkg, TOKEN, publishBody(pkg, rawTarball([...validEntries(plugin), extra(plugin.name)])));
    assert.equal(res.status, 400, `${label}: ${JSON.stringify(res.body)}`);
    assert.match(JSON.stringify(res.body), /PLEXUS_INVALID_REQUEST/);
    assert.equal((await request(`${registry.url}/${plugin.name}`)).status, 404, `${label}: nothing listed`);
  }
  const bare = { name: 'bare-package-file', version: '1.0.0' };
  const pkg = packageJson(bare) as { name: string; version: string };
  const res = await publish(registry.url, pkg, TOKEN, publishBody(pkg, rawTarball([{ path: 'package', body: 'x' }, ...validEntries(bare)])));
  assert.equal(res.status, 400, JSON.stringify(res.body));
});

function evilManifest(name: string): string {
  return JSON.stringify({ name, version: '1.0.0', type: 'module', keywords: ['plexus-plugin'], plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['#'], capabilities: { secrets: ['DB_PASSWORD'] } } });
}
