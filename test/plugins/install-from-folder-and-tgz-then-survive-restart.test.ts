// A running host installs a plugin from a local folder, upgrades it from a
// .tgz without a restart, and comes back after a restart with the same
// version, grants and config from one readable plugins.json.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const NAME = '@acme/plexus-counter';
const config = { type: 'object', properties: { label: { type: 'string' } }, additionalProperties: false };

test('install from a folder, upgrade from a .tgz, restart: the state file keeps version, grants and config', async () => {
  const folder = await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', config, capabilities: { kv: true } });
  const installed = await fx.host.pluginManager.install({ spec: folder, grants: ['kv'], config: { label: 'eu' } });
  assert.equal(installed.change, 'installed');
  assert.equal(installed.installed.version, '1.0.0');
  assert.equal(installed.installed.root, 'plugins/@acme/plexus-counter/1.0.0');
  assert.deepEqual(installed.missingGrants, []);
  assert.match(installed.installed.integrity ?? '', /^sha512-/);
  assert.deepEqual(fx.host.plugins.map((p) => `${p.name}@${p.spec.version}`), [`${NAME}@1.0.0`]);

  await fx.host.accept([orderEvent('a')]);
  await eventually(() => fx.served().some((s) => s.id === 'a' && s.version === '1.0.0'), 'event a served by 1.0.0');

  const tgz = await packPlugin(fx.work, { name: NAME, version: '1.1.0', config, capabilities: { kv: true } });
  const upgraded = await fx.host.pluginManager.install({ spec: tgz });
  assert.equal(upgraded.change, 'upgraded');
  assert.deepEqual(upgraded.installed.grants, ['kv'], 'grants carry over to the new version');
  assert.deepEqual(upgraded.installed.config, { label: 'eu' }, 'config carries over to the new version');
  await fx.host.accept([orderEvent('b')]);
  await eventually(() => fx.served().some((s) => s.id === 'b' && s.version === '1.1.0'), 'event b served by 1.1.0');

  const file = JSON.parse(await readFile(join(fx.stateDir, 'plugins.json'), 'utf8'));
  assert.equal(file.version, 1);
  assert.equal(file.plugins.length, 1);
  assert.deepEqual(
    { name: file.plugins[0].name, version: file.plugins[0].version, root: file.plugins[0].root, enabled: file.plugins[0].enabled, grants: file.plugins[0].grants, config: file.plugins[0].config },
    { name: NAME, version: '1.1.0', root: 'plugins/@acme/plexus-counter/1.1.0', enabled: true, grants: ['kv'], config: { label: 'eu' } },
  );

  await fx.restart();
  assert.deepEqual(fx.host.plugins.map((p) => `${p.name}@${p.spec.version}`), [`${NAME}@1.1.0`]);
  assert.equal(fx.host.plugins[0]?.spec.capabilities.kv, true);
  assert.deepEqual(fx.host.plugins[0]?.spec.config, { label: 'eu' });
  await fx.host.accept([orderEvent('c')]);
  await eventually(() => fx.served().some((s) => s.id === 'c' && s.version === '1.1.0'), 'event c served by 1.1.0 after the restart');
});
