// A disabled plugin runs nothing, so an install onto it starts no instance;
// but what can be checked without one is checked as for an enabled plugin:
// the manifest, the API range and the config against the new version's
// schema. A version that fails one is refused with the same PLEXUS_* code,
// the installed version and plugins.json stay, and the refused folder goes.
// (Whether its entry module loads is known only once it is enabled: the
// sandbox has no load-without-init operation yet.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder, type TestPlugin } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const NAME = '@acme/resting';
const numberSchema = { type: 'object', properties: { n: { type: 'number' } }, additionalProperties: false };
const stringSchema = { type: 'object', properties: { n: { type: 'string' } }, additionalProperties: false };
const versionFolder = (version: string) => join(fx.stateDir, 'plugins', '@acme', 'resting', version);

const refusals: { what: string; plugin: TestPlugin; code: string }[] = [
  { what: 'a schema the current config does not fit', plugin: { name: NAME, version: '1.1.0', config: stringSchema }, code: 'PLEXUS_INVALID_CONFIG' },
  { what: 'an API range this host is outside', plugin: { name: NAME, version: '1.2.0', config: numberSchema, apiVersion: '^9.0.0' }, code: 'PLEXUS_INCOMPATIBLE_API' },
  { what: 'a manifest asking for an unknown capability', plugin: { name: NAME, version: '1.3.0', config: numberSchema, capabilities: { teleport: true } }, code: 'PLEXUS_INVALID_MANIFEST' },
];

test('an install onto a disabled plugin is refused as for an enabled one, and changes nothing', async () => {
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', config: numberSchema }), config: { n: 1 } });
  await fx.host.pluginManager.update(NAME, { enabled: false });
  const before = await readFile(fx.host.pluginStatePath, 'utf8');
  for (const { what, plugin, code } of refusals) {
    await assert.rejects(fx.host.pluginManager.install({ spec: await packPlugin(fx.work, plugin) }), (err: Error & { code?: string }) => {
      assert.equal(err.code, code, `${what}: ${err.message}`);
      return true;
    });
    assert.equal(await readFile(fx.host.pluginStatePath, 'utf8'), before, `${what}: plugins.json unchanged`);
    assert.equal(existsSync(versionFolder(plugin.version)), false, `${what}: the refused version's folder is gone`);
  }
  assert.ok(existsSync(versionFolder('1.0.0')), 'the installed version stays');
});
