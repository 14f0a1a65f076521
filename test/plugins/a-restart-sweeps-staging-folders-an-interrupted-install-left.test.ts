// An install unpacks into plugins/.staging-<random> and renames it into
// place. A host killed in between leaves the staging folder behind, and no
// run would ever remove it: the next start does, leaving version folders alone.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

test('a restart removes staging folders an interrupted install left, and keeps installed versions', async () => {
  const fx = await startHostFixture();
  try {
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/kept', version: '1.0.0' }) });
    const plugins = join(fx.stateDir, 'plugins');
    await mkdir(join(plugins, '.staging-0123456789ab', 'dist'), { recursive: true });
    await writeFile(join(plugins, '.staging-0123456789ab', 'dist', 'plugin.js'), 'half written');
    await fx.restart();
    assert.deepEqual((await readdir(plugins)).sort(), ['@acme']);
    assert.deepEqual(fx.host.plugins.map((p) => p.name), ['@acme/kept']);
  } finally {
    await fx.close();
  }
});
