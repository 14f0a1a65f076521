// The dist-tag routes npm dist-tag uses, and their refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packTarball, pluginPackageJson, publish, publishBody, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

describe('dist-tags over HTTP', () => {
  let fx: RegistryFixture;
  let tags: string;

  before(async () => {
    fx = await startFixture();
    for (const v of ['1.0.0', '2.0.0']) assert.equal((await publish(fx.url, pluginPackageJson('@acme/tagged', v), TOKEN)).status, 201);
    tags = `${fx.url}/-/package/@acme%2ftagged/dist-tags`;
  });
  after(() => fx.close());

  it('latest follows publishes, and a publish with another tag leaves latest alone', async () => {
    assert.deepEqual((await request(tags)).body, { latest: '2.0.0' });
    const beta = pluginPackageJson('@acme/tagged', '3.0.0-beta.1');
    assert.equal((await publish(fx.url, beta, TOKEN, publishBody(beta, await packTarball(beta), { tag: 'beta' }))).status, 201);
    assert.deepEqual((await request(tags)).body, { latest: '2.0.0', beta: '3.0.0-beta.1' });
  });

  it('PUT sets a tag, GET reads it, DELETE removes it', async () => {
    const put = await request(`${tags}/stable`, { method: 'PUT', token: TOKEN, body: '1.0.0' });
    assert.equal(put.status, 200);
    assert.deepEqual((await request(`${tags}/stable`)).body, { stable: '1.0.0' });
    assert.equal((await request(`${tags}/stable`, { method: 'DELETE', token: TOKEN })).status, 200);
    assert.equal((await request(`${tags}/stable`)).status, 404);
  });

  it('tag writes need a valid token: 401 PLEXUS_UNAUTHORIZED', async () => {
    for (const token of [undefined, 'wrong']) {
      const res = await request(`${tags}/stable`, { method: 'PUT', body: '1.0.0', ...(token === undefined ? {} : { token }) });
      assert.equal(res.status, 401);
      assert.equal((res.body as { code: string }).code, 'PLEXUS_UNAUTHORIZED');
    }
  });

  it('a tag pointing at an unknown version is 404, a semver-range tag and removing latest are 400', async () => {
    const unknown = await request(`${tags}/stable`, { method: 'PUT', token: TOKEN, body: '9.9.9' });
    assert.equal(unknown.status, 404);
    assert.match((unknown.body as { error: string }).error, /PLEXUS_NOT_FOUND: @acme\/tagged has no version 9\.9\.9/);
    const range = await request(`${tags}/1.x`, { method: 'PUT', token: TOKEN, body: '1.0.0' });
    assert.equal(range.status, 400);
    assert.match((range.body as { error: string }).error, /PLEXUS_INVALID_REQUEST: "1\.x" is not a valid dist-tag/);
    const latest = await request(`${tags}/latest`, { method: 'DELETE', token: TOKEN });
    assert.equal(latest.status, 400);
    assert.match((latest.body as { error: string }).error, /"latest" dist-tag cannot be removed/);
  });

  it('a body that is not a JSON string is 400 PLEXUS_INVALID_REQUEST', async () => {
    const res = await request(`${tags}/stable`, { method: 'PUT', token: TOKEN, body: { version: '1.0.0' } });
    assert.equal(res.status, 400);
    assert.equal((res.body as { code: string }).code, 'PLEXUS_INVALID_REQUEST');
  });
});
