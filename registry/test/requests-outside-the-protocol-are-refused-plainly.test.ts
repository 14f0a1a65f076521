// Requests the registry does not serve get a plain refusal in its error
// shapes, never a silent success or fastify's own body: npm unpublish (which
// takes a 404 for "already gone"), a publish-sized body sent anonymously to a
// path no route serves (read and parsed before the 404), a bad %-encoding, and
// dist-tags of package names as long as npm allows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pluginPackageJson, publish, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

let fx: RegistryFixture;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

test('unpublishing a version or the package is a 400 saying versions are immutable, and both versions stay', async () => {
  for (const v of ['1.0.0', '1.1.0']) assert.equal((await publish(fx.url, pluginPackageJson('kept', v), TOKEN)).status, 201);
  for (const method of ['PUT', 'DELETE']) {
    const res = await request(`${fx.url}/kept/-rev/undefined`, { method, token: TOKEN, ...(method === 'PUT' ? { body: { name: 'kept' } } : {}) });
    assert.equal(res.status, 400, `${method}: ${JSON.stringify(res.body)}`);
    assert.match(String((res.body as { error: string }).error), /PLEXUS_INVALID_REQUEST: Unpublishing is not supported: published versions are immutable/);
  }
  assert.equal((await request(`${fx.url}/kept/-rev/undefined`, { method: 'DELETE' })).status, 401, 'without a token: 401 first');
  const doc = (await request(`${fx.url}/kept`)).body as { versions: Record<string, unknown> };
  assert.deepEqual(Object.keys(doc.versions), ['1.0.0', '1.1.0']);
});

test('a large body to a path no route serves is refused as too large before it is parsed', async () => {
  const big = `{"x":"${'a'.repeat(3 * 1024 * 1024)}"}`;
  const res = await fetch(`${fx.url}/no-such-route`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  assert.equal(res.status, 413);
  assert.equal(((await res.json()) as { code: string }).code, 'PLEXUS_PAYLOAD_TOO_LARGE');
});

test('a bad %-encoding is a 400 in the npm error shape, and in the Plexus shape under /-/plexus/', async () => {
  const npm = await request(`${fx.url}/%E0%A4%A`);
  assert.equal(npm.status, 400);
  assert.equal((npm.body as { code: string }).code, 'PLEXUS_INVALID_REQUEST');
  const plexus = await request(`${fx.url}/-/plexus/catalog%E0%A4%A`);
  assert.equal(plexus.status, 400);
  assert.equal((plexus.body as { error: { code: string } }).error.code, 'PLEXUS_INVALID_REQUEST');
});

test('dist-tags work for a scoped name of 214 characters', async () => {
  const name = `@${'s'.repeat(50)}/${'n'.repeat(162)}`;
  assert.equal(name.length, 214);
  assert.equal((await publish(fx.url, pluginPackageJson(name, '1.0.0'), TOKEN)).status, 201);
  const tags = `${fx.url}/-/package/${encodeURIComponent(name)}/dist-tags`;
  assert.deepEqual((await request(tags)).body, { latest: '1.0.0' });
  assert.equal((await request(`${tags}/stable`, { method: 'PUT', token: TOKEN, body: '1.0.0' })).status, 200);
  assert.deepEqual((await request(tags)).body, { latest: '1.0.0', stable: '1.0.0' });
});
