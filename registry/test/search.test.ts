// Search relevance (pure) and GET /-/v1/search in npm's response format.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptyPackument, withVersion, type Packument } from '../src/packument.ts';
import { parseSearchText, searchPackuments } from '../src/search.ts';
import { pluginPackageJson, publish, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const NOW = new Date('2026-01-02T03:04:05.000Z');

function doc(name: string, description: string, keywords: string[]): Packument {
  const manifest = { name, version: '1.0.0', description, keywords, dist: { integrity: 'sha512-x', shasum: 'x' } };
  return withVersion(emptyPackument(name, NOW), manifest, ['latest'], 'token-abc', NOW);
}

const DOCS = [
  doc('orders', 'exact name', ['plexus-plugin']),
  doc('@acme/orders-enricher', 'adds currency to orders', ['plexus-plugin', 'orders']),
  doc('audit-log', 'writes an audit log of orders', ['plexus-plugin']),
  doc('left-pad', 'pads strings', []),
];

describe('search', () => {
  it('parseSearchText separates words from keywords: and scope: qualifiers', () => {
    assert.deepEqual(parseSearchText('Orders keywords:a,b scope:@acme'), { words: ['orders'], keywords: ['a', 'b'], scope: 'acme' });
  });

  it('ranks exact name over name part over description, and every word must match', () => {
    const result = searchPackuments(DOCS, { text: 'orders', size: 20, from: 0 }, NOW);
    assert.deepEqual(result.objects.map((o) => o.package.name), ['orders', '@acme/orders-enricher', 'audit-log']);
    assert.equal(result.total, 3);
    assert.equal(result.objects[0]!.score.final, 1);
    assert.deepEqual(searchPackuments(DOCS, { text: 'orders currency', size: 20, from: 0 }, NOW).objects.map((o) => o.package.name), ['@acme/orders-enricher']);
  });

  it('filters by keywords: and scope:, and pages with size and from', () => {
    const plugins = searchPackuments(DOCS, { text: 'keywords:plexus-plugin', size: 2, from: 1 }, NOW);
    assert.equal(plugins.total, 3);
    assert.equal(plugins.objects.length, 2);
    assert.deepEqual(searchPackuments(DOCS, { text: 'scope:acme', size: 20, from: 0 }, NOW).objects.map((o) => o.package.scope), ['acme']);
  });

  describe('over HTTP', () => {
    let fx: RegistryFixture;
    before(async () => {
      fx = await startFixture();
      await publish(fx.url, pluginPackageJson('@acme/order-enricher', '1.0.0', { description: 'Enriches orders' }), TOKEN);
    });
    after(() => fx.close());

    it('GET /-/v1/search answers in npm\'s format', async () => {
      const res = await request(`${fx.url}/-/v1/search?text=enricher&size=5&from=0&quality=0.65`);
      assert.equal(res.status, 200);
      const body = res.body as { objects: { package: Record<string, unknown>; score: { final: number }; searchScore: number }[]; total: number; time: string };
      assert.equal(body.total, 1);
      const pkg = body.objects[0]!.package;
      assert.equal(pkg.name, '@acme/order-enricher');
      assert.equal(pkg.scope, 'acme');
      assert.equal(pkg.version, '1.0.0');
      assert.equal(pkg.description, 'Enriches orders');
      assert.deepEqual(pkg.keywords, ['plexus-plugin']);
      assert.match(String(pkg.date), /^\d{4}-\d\d-\d\dT/);
      assert.match(String((pkg.publisher as { username: string }).username), /^token-/);
      assert.equal((pkg.maintainers as unknown[]).length, 1);
      assert.ok(body.time);
    });

    it('a bad size is 400 PLEXUS_INVALID_REQUEST', async () => {
      const res = await request(`${fx.url}/-/v1/search?text=x&size=-1`);
      assert.equal(res.status, 400);
      assert.equal((res.body as { code: string }).code, 'PLEXUS_INVALID_REQUEST');
    });
  });
});
