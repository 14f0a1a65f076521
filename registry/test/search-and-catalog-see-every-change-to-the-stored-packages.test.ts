// Search and the catalog keep parsed packuments between requests
// (packument-cache.ts). What they answer must still follow every change: the
// registry's own writes (publish, dist-tag, owner change) and what another
// process does to the storage folder (a second registry on the same disk, an
// operator restoring a backup), seen by the very next request.
import assert from 'node:assert/strict';
import { cp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';
import { pluginPackageJson, publish, request } from './helpers/packages.ts';

const OTHER_TOKEN = 'other-token-0123456789abcdef';

interface Found {
  total: number;
  objects: { package: { name: string; version: string; description: string; maintainers: { username: string }[] } }[];
}

describe('search and the catalog after changes to the stored packages', () => {
  let fx: RegistryFixture;
  const search = async (text: string): Promise<Found> => (await request(`${fx.url}/-/v1/search?text=${encodeURIComponent(text)}&size=250`)).body as Found;
  const catalog = async (): Promise<{ name: string; latest: string; description: string }[]> =>
    ((await request(`${fx.url}/-/plexus/catalog`)).body as { plugins: { name: string; latest: string; description: string }[] }).plugins;
  const packumentFile = (folder: string): string => join(fx.storage, folder, 'packument.json');

  before(async () => {
    fx = await startFixture({ tokens: [TOKEN, OTHER_TOKEN] });
    for (const name of ['watched-alpha', 'watched-beta']) {
      assert.equal((await publish(fx.url, pluginPackageJson(name, '1.0.0', { description: 'version one' }), TOKEN)).status, 201);
    }
  });
  after(() => fx.close());

  it("the registry's own publish, dist-tag move and owner change show in the next search", async () => {
    assert.equal((await search('watched')).total, 2);
    assert.equal((await publish(fx.url, pluginPackageJson('watched-alpha', '2.0.0', { description: 'version two' }), TOKEN)).status, 201);
    const afterPublish = (await search('watched-alpha')).objects[0]!.package;
    assert.deepEqual([afterPublish.version, afterPublish.description], ['2.0.0', 'version two']);
    assert.equal((await catalog()).find((p) => p.name === 'watched-alpha')?.latest, '2.0.0');

    const tag = await request(`${fx.url}/-/package/watched-alpha/dist-tags/latest`, { method: 'PUT', token: TOKEN, body: '1.0.0' });
    assert.equal(tag.status, 200);
    assert.equal((await search('watched-alpha')).objects[0]!.package.version, '1.0.0');

    const whoami = async (token: string): Promise<string> => ((await request(`${fx.url}/-/whoami`, { token })).body as { username: string }).username;
    const doc = (await request(`${fx.url}/watched-alpha`)).body as { _rev: string };
    const owners = [{ name: await whoami(TOKEN), email: '' }, { name: await whoami(OTHER_TOKEN), email: '' }];
    const change = await request(`${fx.url}/watched-alpha/-rev/${encodeURIComponent(doc._rev)}`, { method: 'PUT', token: TOKEN, body: { _id: 'watched-alpha', _rev: doc._rev, maintainers: owners } });
    assert.equal(change.status, 200, JSON.stringify(change.body));
    assert.equal((await search('watched-alpha')).objects[0]!.package.maintainers.length, 2);
  });

  it('a packument another writer rewrites in place, to the same size, shows in the next search and catalog', async () => {
    assert.equal((await search('watched-beta')).objects[0]!.package.description, 'version one');
    const path = packumentFile('watched-beta');
    const before = await stat(path);
    const text = await readFile(path, 'utf8');
    const rewritten = text.replaceAll('version one', 'version 1!!');
    assert.equal(rewritten.length, text.length);
    await writeFile(path, rewritten);
    // Same inode and size: only the content and the times tell. The mtime is set, not left to the clock, so the test does not depend on its granularity.
    await utimes(path, before.atime, new Date(before.mtimeMs + 10_000));
    assert.equal((await stat(path)).size, before.size);
    assert.equal((await search('watched-beta')).objects[0]!.package.description, 'version 1!!');
    assert.equal((await catalog()).find((p) => p.name === 'watched-beta')?.description, 'version 1!!');
  });

  it('a package folder another writer adds or removes appears in or leaves the next search and catalog', async () => {
    await search('watched');
    const copy = JSON.parse(await readFile(packumentFile('watched-beta'), 'utf8')) as Record<string, unknown>;
    await cp(join(fx.storage, 'watched-beta'), join(fx.storage, 'watched-gamma'), { recursive: true });
    await writeFile(packumentFile('watched-gamma'), JSON.stringify({ ...copy, _id: 'watched-gamma', name: 'watched-gamma' }));
    assert.deepEqual((await search('watched')).objects.map((o) => o.package.name).sort(), ['watched-alpha', 'watched-beta', 'watched-gamma']);

    await rm(join(fx.storage, 'watched-beta'), { recursive: true });
    assert.deepEqual((await search('watched')).objects.map((o) => o.package.name).sort(), ['watched-alpha', 'watched-gamma']);
    assert.deepEqual((await catalog()).map((p) => p.name), ['watched-alpha', 'watched-gamma']);
    // And a packument file removed from a folder left behind.
    await rm(packumentFile('watched-gamma'));
    assert.deepEqual((await search('watched')).objects.map((o) => o.package.name), ['watched-alpha']);
  });
});
