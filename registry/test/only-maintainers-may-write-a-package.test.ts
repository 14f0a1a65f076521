// Package ownership over HTTP: the first publisher of a package is its sole
// maintainer, and only maintainers may publish versions of it, move its
// dist-tags or change its maintainers (npm owner). Another write token is
// refused 403 PLEXUS_FORBIDDEN and nothing is written.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackageStore } from '../src/storage.ts';
import { packTarball, pluginPackageJson, publish, publishBody, request, type HttpResult } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const TOKEN_B = 'second-author-token-fedcba9876543210';
const NAME = '@a/plugin';
const PATH = '@a%2fplugin';

interface Doc {
  _rev: string;
  maintainers: { name: string; email: string }[];
  'dist-tags': Record<string, string>;
  versions: Record<string, unknown>;
}

function assertForbidden(result: HttpResult, message: RegExp): void {
  const body = result.body as { error: string; code: string; message: string };
  assert.equal(result.status, 403, JSON.stringify(body));
  assert.equal(body.code, 'PLEXUS_FORBIDDEN');
  assert.match(body.message, message);
  assert.equal(body.error, `PLEXUS_FORBIDDEN: ${body.message}`);
}

describe('only maintainers may write a package', () => {
  let fx: RegistryFixture;
  let idA: string;
  let idB: string;
  const doc = async (name = PATH): Promise<Doc> => (await request(`${fx.url}/${name}`)).body as Doc;
  const owners = (d: Doc): string[] => d.maintainers.map((m) => m.name);
  const setOwners = (token: string, rev: string, names: string[], path = PATH): Promise<HttpResult> =>
    request(`${fx.url}/${path}/-rev/${encodeURIComponent(rev)}`, { method: 'PUT', token, body: { _id: NAME, _rev: rev, maintainers: names.map((name) => ({ name, email: '' })) } });

  before(async () => {
    fx = await startFixture({ tokens: [TOKEN, TOKEN_B] });
    idA = ((await request(`${fx.url}/-/whoami`, { token: TOKEN })).body as { username: string }).username;
    idB = ((await request(`${fx.url}/-/whoami`, { token: TOKEN_B })).body as { username: string }).username;
    assert.notEqual(idA, idB);
    assert.equal((await publish(fx.url, pluginPackageJson(NAME, '1.0.0'), TOKEN)).status, 201);
  });
  after(() => fx.close());

  it('the first publish makes its publisher the sole maintainer', async () => {
    assert.deepEqual((await doc()).maintainers, [{ name: idA, email: '' }]);
  });

  it("another token's publish of a new version is refused 403 PLEXUS_FORBIDDEN naming the maintainers, and nothing is written", async () => {
    const before = await doc();
    const refused = await publish(fx.url, pluginPackageJson(NAME, '9.9.9'), TOKEN_B);
    assertForbidden(refused, new RegExp(`^${idB} is not a maintainer of @a/plugin \\(maintainers: ${idA}\\)`));
    assert.deepEqual(await doc(), before);
    assert.deepEqual((await readdir(join(fx.storage, PATH))).filter((f) => f.includes('9.9.9')), [], 'no tarball was stored');
  });

  it("another token's dist-tag add and rm are refused 403 and the tags stay", async () => {
    const tags = `${fx.url}/-/package/${PATH}/dist-tags`;
    assert.equal((await request(`${tags}/stable`, { method: 'PUT', token: TOKEN, body: '1.0.0' })).status, 200);
    assertForbidden(await request(`${tags}/latest`, { method: 'PUT', token: TOKEN_B, body: '1.0.0' }), new RegExp(`${idB} is not a maintainer of @a/plugin`));
    assertForbidden(await request(`${tags}/stable`, { method: 'DELETE', token: TOKEN_B }), new RegExp(`${idB} is not a maintainer of @a/plugin`));
    assert.deepEqual((await request(tags)).body, { latest: '1.0.0', stable: '1.0.0' });
  });

  it("another token cannot make itself a maintainer (npm owner add's PUT /<pkg>/-rev/<rev>)", async () => {
    const current = await doc();
    assertForbidden(await setOwners(TOKEN_B, current._rev, [idA, idB]), new RegExp(`${idB} is not a maintainer of @a/plugin`));
    assert.deepEqual(owners(await doc()), [idA]);
  });

  it('a maintainer publishes new versions and stays the only maintainer', async () => {
    assert.equal((await publish(fx.url, pluginPackageJson(NAME, '1.1.0'), TOKEN)).status, 201);
    const after = await doc();
    assert.deepEqual(Object.keys(after.versions), ['1.0.0', '1.1.0']);
    assert.deepEqual(owners(after), [idA]);
  });

  it('users are the identities of configured tokens: the lookup npm owner makes answers them and 404s anything else', async () => {
    const found = await request(`${fx.url}/-/user/org.couchdb.user:${idB}`);
    assert.equal(found.status, 200);
    assert.equal((found.body as { name: string }).name, idB);
    const missing = await request(`${fx.url}/-/user/org.couchdb.user:token-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: string }).code, 'PLEXUS_NOT_FOUND');
  });

  it('owner changes refuse unknown users, an empty list and a stale revision', async () => {
    const { _rev: rev } = await doc();
    const unknown = await setOwners(TOKEN, rev, [idA, 'token-000000000000']);
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.match((unknown.body as { error: string }).error, /PLEXUS_NOT_FOUND: No user token-000000000000/);
    const empty = await setOwners(TOKEN, rev, []);
    assert.equal(empty.status, 400, JSON.stringify(empty.body));
    assert.match((empty.body as { error: string }).error, /PLEXUS_INVALID_REQUEST: .*cannot be left without a maintainer/);
    const stale = await setOwners(TOKEN, `${rev}0`, [idA, idB]);
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal((stale.body as { code: string }).code, 'PLEXUS_CONFLICT');
    assert.deepEqual(owners(await doc()), [idA]);
  });

  it('concurrent owner changes from one revision: exactly one lands, the others get 409', async () => {
    const { _rev: rev } = await doc();
    const results = await Promise.all([0, 1, 2].map(() => setOwners(TOKEN, rev, [idA, idB])));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
    assert.deepEqual(owners(await doc()), [idA, idB]);
  });

  it('an added maintainer may publish and tag; a removed one may not any more', async () => {
    assert.equal((await publish(fx.url, pluginPackageJson(NAME, '2.0.0'), TOKEN_B)).status, 201);
    assert.equal((await request(`${fx.url}/-/package/${PATH}/dist-tags/stable`, { method: 'PUT', token: TOKEN_B, body: '2.0.0' })).status, 200);
    assert.equal((await setOwners(TOKEN_B, (await doc())._rev, [idB])).status, 200, 'B removes A');
    assert.deepEqual(owners(await doc()), [idB]);
    const pkg = pluginPackageJson(NAME, '3.0.0');
    assertForbidden(await publish(fx.url, pkg, TOKEN, publishBody(pkg, await packTarball(pkg))), new RegExp(`^${idA} is not a maintainer of @a/plugin \\(maintainers: ${idB}\\)`));
  });

  it('a package already on disk keeps the maintainers it has', async () => {
    const store = new PackageStore(fx.storage);
    assert.equal((await publish(fx.url, pluginPackageJson('legacy', '1.0.0'), TOKEN)).status, 201);
    const stored = (await store.readPackument('legacy'))!;
    // What the registry wrote before ownership: every publisher appended.
    await store.writePackument({ ...stored, maintainers: [{ name: idA, email: '' }, { name: idB, email: '' }] });
    assert.equal((await publish(fx.url, pluginPackageJson('legacy', '1.1.0'), TOKEN_B)).status, 201);
    assert.deepEqual(owners(await doc('legacy')), [idA, idB]);
  });
});
