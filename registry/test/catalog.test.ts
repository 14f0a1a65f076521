// GET /-/plexus/catalog: plugins only, each version's plexus manifest, and
// the CONTRACT §7 error shape on the registry's own API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Catalog } from '../src/index.ts';
import { packTarball, pluginPackageJson, publish, publishBody, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

describe('plugin catalog', () => {
  let fx: RegistryFixture;
  const v2Manifest = { apiVersion: '^1.2.0', main: 'dist/plugin.js', subscribe: ['orders.#'], capabilities: { kv: true } };

  before(async () => {
    fx = await startFixture();
    await publish(fx.url, pluginPackageJson('@acme/enricher', '1.0.0'), TOKEN);
    await publish(fx.url, pluginPackageJson('@acme/enricher', '2.0.0', { description: 'v2', plexus: v2Manifest }), TOKEN);
    await publish(fx.url, pluginPackageJson('audit-log', '0.1.0'), TOKEN);
    const library = { name: 'left-pad', version: '1.0.0' };
    await publish(fx.url, library, TOKEN, publishBody(library, await packTarball(library, { 'index.js': '' })));
  });
  after(() => fx.close());

  it('lists plugins with latest version, description and every version\'s plexus manifest, and leaves out non-plugins', async () => {
    const res = await request(`${fx.url}/-/plexus/catalog`);
    assert.equal(res.status, 200);
    const { plugins } = res.body as Catalog;
    assert.deepEqual(plugins.map((p) => p.name), ['@acme/enricher', 'audit-log']);
    const enricher = plugins[0]!;
    assert.equal(enricher.latest, '2.0.0');
    assert.equal(enricher.description, 'v2');
    assert.deepEqual(enricher.versions.map((v) => v.version), ['1.0.0', '2.0.0']);
    assert.deepEqual(enricher.versions[0]!.plexus, pluginPackageJson('x', '1.0.0').plexus);
    assert.deepEqual(enricher.versions[1]!.plexus, v2Manifest);
    assert.ok(enricher.versions[1]!.publishedAt);
  });

  it('the catalog is read-only: writes are not routes', async () => {
    const res = await request(`${fx.url}/-/plexus/catalog`, { method: 'POST', token: TOKEN, body: {} });
    assert.equal(res.status, 404);
  });

  it('errors on the registry\'s own API use {"error": {"code", "message"}}', async () => {
    const res = await request(`${fx.url}/-/plexus/nothing-here`);
    assert.equal(res.status, 404);
    const body = res.body as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'PLEXUS_NOT_FOUND');
    assert.match(body.error.message, /No registry route for GET \/-\/plexus\/nothing-here/);
  });
});
