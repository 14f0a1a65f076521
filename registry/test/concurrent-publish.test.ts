// Several versions of one package published at the same moment must all
// land: publishes are serialized per package and files replaced atomically,
// so no read-modify-write of the packument loses another's version.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { packTarball, pluginPackageJson, publish, publishBody, request, sri } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

interface Doc {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { integrity: string; tarball: string } }>;
}

describe('concurrent publishes', () => {
  let fx: RegistryFixture;

  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  it('concurrent publishes of twelve versions of one package all land and the packument lists them all', async () => {
    const versions = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
    const bodies = await Promise.all(versions.map(async (v) => {
      const pkg = pluginPackageJson('busy-plugin', v);
      return { pkg, body: publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': `export default { version: '${v}' };\n` })) };
    }));
    const results = await Promise.all(bodies.map(({ pkg, body }) => publish(fx.url, pkg, TOKEN, body)));
    assert.deepEqual(results.map((r) => r.status), versions.map(() => 201));

    const doc = (await request(`${fx.url}/busy-plugin`)).body as Doc;
    assert.deepEqual(Object.keys(doc.versions).sort(), [...versions].sort());
    assert.ok(versions.includes(doc['dist-tags'].latest!), 'latest points at one of the published versions');
    for (const v of versions) {
      const res = await fetch(doc.versions[v]!.dist.tarball);
      assert.equal(res.status, 200);
      assert.equal(sri(Buffer.from(await res.arrayBuffer())), doc.versions[v]!.dist.integrity, `tarball of ${v} matches its integrity`);
    }
    const leftovers = (await readdir(`${fx.storage}/busy-plugin`)).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'no temp files are left behind');
  });

  it('concurrent publishes of the same version: exactly one wins, the others get 409', async () => {
    const pkg = pluginPackageJson('race-plugin', '1.0.0');
    const bodies = await Promise.all([1, 2, 3, 4].map(async (n) => publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': `// ${n}\n` }))));
    const results = await Promise.all(bodies.map((body) => publish(fx.url, pkg, TOKEN, body)));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
    const doc = (await request(`${fx.url}/race-plugin`)).body as Doc;
    const winner = bodies[results.findIndex((r) => r.status === 201)]!;
    const winnerIntegrity = (winner.versions as Record<string, { dist: { integrity: string } }>)['1.0.0']!.dist.integrity;
    assert.equal(doc.versions['1.0.0']!.dist.integrity, winnerIntegrity, 'the stored tarball is the winner\'s');
    const res = await fetch(doc.versions['1.0.0']!.dist.tarball);
    assert.equal(sri(Buffer.from(await res.arrayBuffer())), winnerIntegrity);
  });
});
