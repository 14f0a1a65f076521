// The on-disk layout: one folder per package holding packument.json and its
// tarballs, scoped names escaped into one folder, atomic replacement.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptyPackument } from '../src/packument.ts';
import { PackageStore, folderName, nameFromFolder } from '../src/storage.ts';

describe('PackageStore', () => {
  let root: string;
  let store: PackageStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'plexus-store-'));
    store = new PackageStore(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('maps scoped names to one escaped folder and back', () => {
    assert.equal(folderName('@acme/plugin'), '@acme%2fplugin');
    assert.equal(nameFromFolder('@acme%2fplugin'), '@acme/plugin');
    assert.equal(nameFromFolder('.DS_Store'), undefined);
    assert.throws(() => folderName('../escape'), { code: 'PLEXUS_INVALID_REQUEST' });
  });

  it('keeps the packument and tarballs of a package in its folder, with no temp files left', async () => {
    await store.writeTarball('@acme/plugin', 'plugin-1.0.0.tgz', Buffer.from('tgz'));
    await store.writePackument(emptyPackument('@acme/plugin', new Date()));
    await store.writePackument({ ...emptyPackument('@acme/plugin', new Date()), description: 'replaced' });
    assert.deepEqual((await readdir(join(root, '@acme%2fplugin'))).sort(), ['packument.json', 'plugin-1.0.0.tgz']);
    assert.equal((await store.readPackument('@acme/plugin'))?.description, 'replaced');
  });

  it('lists packages, skipping folders without a packument and foreign files', async () => {
    await mkdir(join(root, 'half-published'));
    await mkdir(join(root, 'Not A Package'));
    await store.writePackument(emptyPackument('zeta', new Date()));
    assert.deepEqual((await store.readAll()).map((d) => d.name), ['@acme/plugin', 'zeta']);
    assert.equal(await store.readPackument('missing'), undefined);
    assert.equal(await store.openTarball('zeta', 'zeta-1.0.0.tgz'), undefined);
  });

  it('an empty or missing storage dir lists nothing', async () => {
    assert.deepEqual(await new PackageStore(join(root, 'nope')).listPackageNames(), []);
  });
});
