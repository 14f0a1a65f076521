// A plugin whose installed version no longer loads (its folder damaged, say)
// shows as failed, and its operator's first move is `plexus disable`. That
// loaded the version to check it, failed the same way, and left only
// uninstall. A disabled plugin runs nothing, so nothing needs checking:
// disabling it works, survives a restart, and enabling it again still says
// why it cannot run.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readPluginState } from '../../src/plugins/plugin-state.ts';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

test('a plugin whose version no longer loads can be disabled, and stays disabled after a restart', async () => {
  const change = await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/broken-folder', version: '1.0.0' }) });
  await writeFile(join(fx.stateDir, change.installed.root, 'package.json'), '{ damaged');
  await fx.restart();
  assert.deepEqual(fx.host.failedPlugins.map((f) => f.name), ['@acme/broken-folder']);

  const disabled = await fx.host.pluginManager.update('@acme/broken-folder', { enabled: false });
  assert.equal(disabled.change, 'updated');
  assert.equal(disabled.installed.enabled, false);
  assert.equal((await readPluginState(fx.host.pluginStatePath)).plugins[0]?.enabled, false, 'recorded in the state file');

  await fx.restart();
  assert.deepEqual(fx.host.failedPlugins, [], 'a disabled plugin is not loaded, so it does not fail');
  assert.equal(JSON.parse(await readFile(fx.host.pluginStatePath, 'utf8')).plugins[0].enabled, false);
  await assert.rejects(fx.host.pluginManager.update('@acme/broken-folder', { enabled: true }), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_MANIFEST');
});
