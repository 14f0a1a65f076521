// A plugin that is enabled but failed to activate at start (its installed
// folder was damaged, say) shows as failed. Once the cause is repaired, the
// operator's `plexus enable` must try again, not answer "already enabled"
// and leave it down until a restart.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const running = () => fx.host.plugins.map((p) => p.name);
const failed = () => fx.host.failedPlugins.map((f) => f.name);

test('enable retries a failed plugin once it loads again', async () => {
  const change = await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/fragile-folder', version: '1.0.0' }) });
  const manifest = join(fx.stateDir, change.installed.root, 'package.json');
  const good = await readFile(manifest, 'utf8');
  await writeFile(manifest, '{ damaged');
  await fx.restart();
  assert.deepEqual(failed(), ['@acme/fragile-folder']);
  assert.deepEqual(running(), []);

  // Still damaged: enable says why, and nothing changes.
  await assert.rejects(fx.host.pluginManager.update('@acme/fragile-folder', { enabled: true }), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_MANIFEST');

  await writeFile(manifest, good);
  const enabled = await fx.host.pluginManager.update('@acme/fragile-folder', { enabled: true });
  assert.equal(enabled.change, 'updated');
  assert.deepEqual(running(), ['@acme/fragile-folder']);
  assert.deepEqual(failed(), []);
  // Running now: a second enable changes nothing.
  assert.equal((await fx.host.pluginManager.update('@acme/fragile-folder', { enabled: true })).change, 'unchanged');
});
