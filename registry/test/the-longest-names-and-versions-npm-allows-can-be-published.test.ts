// npm allows package names of 214 characters and the semver library versions of
// 256. The tarball's file name is `<name>-<version>.tgz`, and the atomic write
// adds a temp suffix of ~50 characters to it: past the file system's 255-byte
// limit the publish failed with ENAMETOOLONG, a 500 PLEXUS_INTERNAL for a valid package.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packTarball, pluginPackageJson, publish, publishBody, request, type PackageJson } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { tarball: string } }>;
}

describe('the longest names and versions npm allows', () => {
  let fx: RegistryFixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  const cases: [string, PackageJson][] = [
    ['an unscoped name of 214 characters', pluginPackageJson('n'.repeat(214), '1.0.0')],
    ['a scoped name of 214 characters', pluginPackageJson(`@s/${'k'.repeat(211)}`, '1.0.0')],
    ['a prerelease version of 200 characters', pluginPackageJson('long-version', `1.0.0-${'a'.repeat(194)}`)],
  ];

  for (const [what, pkg] of cases) {
    it(`${what} publishes, and its tarball downloads byte for byte at dist.tarball`, async () => {
      const tarball = await packTarball(pkg);
      const published = await publish(fx.url, pkg, TOKEN, publishBody(pkg, tarball));
      assert.equal(published.status, 201, JSON.stringify(published.body));
      const doc = (await request(`${fx.url}/${pkg.name.replace('/', '%2f')}`)).body as Packument;
      assert.equal(doc['dist-tags'].latest, pkg.version);
      const res = await fetch(doc.versions[pkg.version]!.dist.tarball);
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(tarball));
    });
  }

  it('a second version of a long name keeps the first one\'s tarball', async () => {
    const name = 'm'.repeat(214);
    const first = pluginPackageJson(name, '1.0.0');
    const firstTarball = await packTarball(first);
    assert.equal((await publish(fx.url, first, TOKEN, publishBody(first, firstTarball))).status, 201);
    assert.equal((await publish(fx.url, pluginPackageJson(name, '1.0.1'), TOKEN)).status, 201);
    const res = await fetch(`${fx.url}/${name}/-/${name}-1.0.0.tgz`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(firstTarball));
  });
});
