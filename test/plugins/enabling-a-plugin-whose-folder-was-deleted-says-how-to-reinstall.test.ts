// A disabled plugin whose version folder was deleted by hand: enabling it
// answered the loader's "no package.json in <root>" (PLEXUS_INVALID_MANIFEST),
// which reads like a broken package. It gets the error the start gives for
// the same entry (PLEXUS_NOT_FOUND naming the folder, the version and how to
// reinstall), and plugins.json keeps it disabled.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PlexusError } from '@plexus/plugin-sdk';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const NAME = '@acme/deleted-folder';

test('enabling a disabled plugin whose folder is gone fails as the start does, and it stays disabled', async () => {
  const installed = await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: NAME, version: '1.0.0' }) });
  await fx.host.pluginManager.update(NAME, { enabled: false });
  await rm(join(fx.stateDir, installed.installed.root), { recursive: true });
  const before = await readFile(fx.host.pluginStatePath, 'utf8');

  const refused = await fx.host.pluginManager.update(NAME, { enabled: true }).then(
    () => assert.fail('enable succeeded'),
    (err: unknown) => err as PlexusError,
  );
  assert.equal(refused.code, 'PLEXUS_NOT_FOUND', refused.message);
  assert.match(refused.message, /plugins\/@acme\/deleted-folder\/1\.0\.0 that plugins\.json names for @acme\/deleted-folder@1\.0\.0 does not exist/);
  assert.match(refused.message, /plexus install @acme\/deleted-folder@1\.0\.0/);
  assert.equal(await readFile(fx.host.pluginStatePath, 'utf8'), before, 'plugins.json unchanged: still disabled');
  assert.deepEqual(fx.host.plugins, [], 'nothing activated');

  // The same entry enabled by hand fails the start with the same words.
  await writeFile(fx.host.pluginStatePath, before.replace('"enabled": false', '"enabled": true'));
  await fx.restart();
  const atStart = fx.host.failedPlugins.find((f) => f.name === NAME)?.error as PlexusError | undefined;
  assert.equal(atStart?.code, 'PLEXUS_NOT_FOUND');
  assert.equal(atStart?.message, refused.message);
});
