// A version (or a config) whose init fails is never swapped in: the running
// version keeps serving, plugins.json is unchanged, the refused version's
// folder is gone, and the operator gets init's own error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder, type TestPlugin } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const NAME = '@acme/fragile';
const schema = { type: 'object', properties: { endpoint: { type: 'string' } }, additionalProperties: false };
const fragile = (version: string, init: string): TestPlugin => ({ name: NAME, version, config: schema, init });
const loadFailed = (message: RegExp) => (err: Error & { code?: string }) => {
  assert.equal(err.code, 'PLEXUS_PLUGIN_LOAD_FAILED', err.message);
  assert.match(err.message, message);
  return true;
};

test('an upgrade whose init throws is rolled back: the old version keeps serving', async () => {
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, fragile('1.0.0', '')) });
  const before = await readFile(join(fx.stateDir, 'plugins.json'), 'utf8');
  const broken = await packPlugin(fx.work, fragile('1.1.0', `throw new Error('cannot reach the pricing service');`));
  await assert.rejects(fx.host.pluginManager.install({ spec: broken }), loadFailed(/init of @acme\/fragile@1\.1\.0 threw: cannot reach the pricing service/));
  assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), ['1.0.0']);
  assert.equal(await readFile(join(fx.stateDir, 'plugins.json'), 'utf8'), before, 'plugins.json unchanged');
  assert.equal(existsSync(join(fx.stateDir, 'plugins', '@acme', 'fragile', '1.1.0')), false, 'the refused version is not kept');
  assert.ok(fx.logger.lines.some((l) => l.level === 'error' && /previous version keeps serving/.test(l.message)));
  await fx.host.accept([orderEvent('after-refusal')]);
  await eventually(() => fx.served().some((s) => s.id === 'after-refusal' && s.version === '1.0.0'), 'served by 1.0.0');
});

test('a module that does not load (syntax error, bad default export) is refused the same way', async () => {
  const syntax = await packPlugin(fx.work, { ...fragile('1.2.0', ''), files: { 'dist/plugin.js': 'export default {{;' } });
  await assert.rejects(fx.host.pluginManager.install({ spec: syntax }), loadFailed(/1\.2\.0/));
  const noExecute = await packPlugin(fx.work, { ...fragile('1.3.0', ''), files: { 'dist/plugin.js': 'export default { init() {} };' } });
  await assert.rejects(fx.host.pluginManager.install({ spec: noExecute }), loadFailed(/not a plugin definition/));
  assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), ['1.0.0']);
});

test('a config its init rejects is refused and the previous config stays', async () => {
  const strict = await packPlugin(fx.work, fragile('1.4.0', `if (ctx.config.endpoint === 'http://down') throw new Error('endpoint ' + ctx.config.endpoint + ' is down');`));
  await fx.host.pluginManager.install({ spec: strict, config: { endpoint: 'http://up' } });
  await assert.rejects(fx.host.pluginManager.update(NAME, { config: { endpoint: 'http://down' } }), loadFailed(/endpoint http:\/\/down is down/));
  assert.deepEqual(fx.host.plugins[0]?.spec.config, { endpoint: 'http://up' });
  assert.deepEqual((await fx.host.pluginManager.get(NAME)).installed.config, { endpoint: 'http://up' });
});
