// An uninstall keeps the version folder while a batch runs on it and removes
// it once the batch is over (looked at every second). A host stopped before
// then left the folder for good: no later change of that plugin came to prune
// it. The next start removes the folders of plugins plugins.json does not
// name, and leaves the installed ones alone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

test('a restart removes the folder an uninstall kept for a batch that was running', { timeout: 60_000 }, async () => {
  const fx = await startHostFixture();
  try {
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/kept', version: '1.0.0', subscribe: ['audit.#'] }) });
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/slow', version: '1.0.0', execute: 'const t = Date.now(); while (Date.now() - t < 800) {}' }) });
    await fx.host.accept([orderEvent('busy')]);
    await eventually(() => fx.host.engine.depth.inFlightBatches > 0, 'a batch running on @acme/slow');
    await fx.host.pluginManager.uninstall('@acme/slow');
    const slow = join(fx.stateDir, 'plugins', '@acme', 'slow');
    assert.ok(existsSync(slow), 'kept while its batch runs');
    await fx.restart();
    assert.equal(existsSync(slow), false, 'gone after the restart');
    assert.deepEqual(await readdir(join(fx.stateDir, 'plugins', '@acme')), ['kept']);
    assert.deepEqual(fx.host.plugins.map((p) => p.name), ['@acme/kept']);
  } finally {
    await fx.close();
  }
});
