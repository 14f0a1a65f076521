// A change of a plugin keeps the version it replaced (batches in flight may
// still start instances on it) and prunes the rest only at that plugin's next
// change, so a plugin that is never changed again kept those folders for good:
// the replaced version's, or a whole new version a host killed between the
// unpack and plugins.json left behind. At start no batch runs, so the start
// removes every version folder plugins.json does not name (a plugin's root
// and its pending version's), and keeps what it names.
import assert from 'node:assert/strict';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder } from './plugin-packages.ts';

test('a restart removes the replaced version\'s folder and unnamed whole folders, and keeps the active and pending ones', { timeout: 60_000 }, async () => {
  const fx = await startHostFixture();
  try {
    const swept = join(fx.stateDir, 'plugins', '@acme', 'swept');
    const held = join(fx.stateDir, 'plugins', '@acme', 'held');
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/swept', version: '1.0.0' }) });
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/swept', version: '1.1.0' }) });
    assert.deepEqual((await readdir(swept)).sort(), ['1.0.0', '1.1.0'], 'the replaced 1.0.0 is kept while the host runs');
    // A whole version folder no record names, as a host killed after the unpack but before plugins.json leaves it.
    await cp(join(swept, '1.1.0'), join(swept, '1.2.0'), { recursive: true });
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/held', version: '1.0.0', subscribe: ['audit.#'] }) });
    const asking = await packPlugin(fx.work, { name: '@acme/held', version: '1.1.0', subscribe: ['audit.#'], capabilities: { http: { hosts: ['api.example.com'] } } });
    assert.equal((await fx.host.pluginManager.install({ spec: asking })).change, 'pending');

    await fx.restart();
    assert.deepEqual(await readdir(swept), ['1.1.0'], 'only the version plugins.json names is left');
    assert.deepEqual((await readdir(held)).sort(), ['1.0.0', '1.1.0'], 'a pending version\'s folder is named too');
    assert.deepEqual(fx.host.failedPlugins, []);
    assert.deepEqual(fx.host.plugins.map((p) => `${p.name}@${p.spec.version}`).sort(), ['@acme/held@1.0.0', '@acme/swept@1.1.0']);
    await fx.host.accept([orderEvent('after-sweep')]);
    await eventually(() => fx.served().some((s) => s.id === 'after-sweep' && s.version === '1.1.0'), 'served by 1.1.0 after the restart');

    // The pending version's folder is still whole: granting activates it.
    assert.equal((await fx.host.pluginManager.update('@acme/held', { grants: ['http:api.example.com'] })).change, 'upgraded');
    assert.deepEqual(fx.host.plugins.map((p) => `${p.name}@${p.spec.version}`).sort(), ['@acme/held@1.1.0', '@acme/swept@1.1.0']);
  } finally {
    await fx.close();
  }
});
