// An upgrade asking for capabilities not granted is recorded as pending and
// not activated; the running version keeps serving, across a restart too,
// until the operator grants them; meanwhile a config change is for the running
// version. A first install runs with what is granted.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
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

const NAME = '@acme/enricher';

test('an upgrade asking for http waits for the grant while 1.0.0 keeps serving', async () => {
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', capabilities: { kv: true } }), grants: ['kv'] });
  const asking = await packPlugin(fx.work, { name: NAME, version: '1.1.0', capabilities: { kv: true, http: { hosts: ['api.example.com'] }, secrets: ['PRICING_KEY'] } });
  const held = await fx.host.pluginManager.install({ spec: asking });
  assert.equal(held.change, 'pending');
  assert.equal(held.installed.version, '1.0.0');
  assert.deepEqual(held.installed.pending?.missingGrants, ['http:api.example.com', 'secrets:PRICING_KEY']);
  assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), ['1.0.0']);
  await fx.host.accept([orderEvent('while-pending')]);
  await eventually(() => fx.served().some((s) => s.id === 'while-pending' && s.version === '1.0.0'), 'served by 1.0.0 while 1.1.0 waits');

  const file = JSON.parse(await readFile(join(fx.stateDir, 'plugins.json'), 'utf8'));
  assert.equal(file.plugins[0].version, '1.0.0');
  assert.equal(file.plugins[0].pending.version, '1.1.0');

  await fx.restart();
  assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), ['1.0.0'], 'still held back after a restart');

  const partly = await fx.host.pluginManager.update(NAME, { grants: ['kv', 'http:api.example.com'] });
  assert.equal(partly.installed.version, '1.0.0');
  assert.deepEqual(partly.installed.pending?.missingGrants, ['secrets:PRICING_KEY']);

  const granted = await fx.host.pluginManager.update(NAME, { grants: ['kv', 'http:api.example.com', 'secrets:PRICING_KEY'] });
  assert.equal(granted.change, 'upgraded');
  assert.equal(granted.installed.version, '1.1.0');
  assert.equal(granted.installed.pending, undefined);
  assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), ['1.1.0']);
  assert.deepEqual(fx.host.plugins[0]?.spec.capabilities.http, ['api.example.com']);
  await fx.host.accept([orderEvent('after-grant')]);
  await eventually(() => fx.served().some((s) => s.id === 'after-grant' && s.version === '1.1.0'), 'served by 1.1.0 once granted');
});

test('installing the running version again drops a pending one', async () => {
  const asking = await packPlugin(fx.work, { name: NAME, version: '1.2.0', capabilities: { kv: true, emit: ['orders.enriched'] } });
  assert.equal((await fx.host.pluginManager.install({ spec: asking })).change, 'pending');
  const same = await packPlugin(fx.work, { name: NAME, version: '1.1.0', capabilities: { kv: true, http: { hosts: ['api.example.com'] }, secrets: ['PRICING_KEY'] } });
  const again = await fx.host.pluginManager.install({ spec: same });
  assert.equal(again.installed.pending, undefined);
  assert.equal(again.installed.version, '1.1.0');
});

test('while an upgrade waits, the running version can be reconfigured against its own schema; a grant then promotes the waiting one with its config', async () => {
  const name = '@acme/configured';
  const schema = (field: string) => ({ type: 'object', properties: { [field]: { type: 'string' } }, additionalProperties: false });
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name, version: '1.0.0', config: schema('a') }), config: { a: '1' } });
  const waiting = await fx.host.pluginManager.install({ spec: await packPlugin(fx.work, { name, version: '2.0.0', capabilities: { kv: true }, config: schema('b') }), config: { b: 'x' } });
  assert.equal(waiting.change, 'pending');
  const reconfigured = await fx.host.pluginManager.update(name, { config: { a: '2' } });
  assert.equal(reconfigured.installed.version, '1.0.0');
  assert.deepEqual(reconfigured.installed.config, { a: '2' });
  assert.deepEqual(reconfigured.installed.pending?.config, { b: 'x' }, 'the waiting version keeps its own config');
  await assert.rejects(fx.host.pluginManager.update(name, { config: { b: 'y' } }), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_CONFIG', 'a config for the waiting version does not fit the running one');
  const promoted = await fx.host.pluginManager.update(name, { grants: ['kv'] });
  assert.equal(promoted.installed.version, '2.0.0');
  assert.deepEqual(promoted.installed.config, { b: 'x' });
});

test('a first install runs with what was granted and reports what was not', async () => {
  const fresh = await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: '@acme/fresh', version: '1.0.0', capabilities: { kv: true, emit: ['orders.audited'] } }), grants: ['kv'] });
  assert.equal(fresh.change, 'installed');
  assert.deepEqual(fresh.missingGrants, ['emit:orders.audited']);
  assert.ok(fx.host.plugins.some((p) => p.name === '@acme/fresh' && p.spec.capabilities.emit === null));
});

test('grants given with an install that must wait apply to the running version at once, added or revoked', async () => {
  const name = '@acme/regranted';
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name, version: '1.0.0', capabilities: { kv: true } }), grants: ['kv'] });
  // 2.0.0 asks for emit and http; the install grants emit only: it waits for http, and emit is granted from now on.
  const asking = await packPlugin(fx.work, { name, version: '2.0.0', capabilities: { kv: true, emit: ['orders.x'], http: { hosts: ['api.example.com'] } } });
  const held = await fx.host.pluginManager.install({ spec: asking, grants: ['kv', 'emit:orders.x'] });
  assert.equal(held.change, 'pending');
  assert.deepEqual(held.installed.grants, ['kv', 'emit:orders.x'], 'the grants given are recorded');
  assert.deepEqual(held.installed.pending?.missingGrants, ['http:api.example.com']);
  // Granting exactly what was reported missing promotes it: emit was granted with the install.
  const granted = await fx.host.pluginManager.update(name, { grant: ['http:api.example.com'] });
  assert.equal(granted.installed.version, '2.0.0', JSON.stringify(granted.installed.pending));

  // 3.0.0 asks for secrets too; installed with a narrower list (http revoked): the running 2.0.0 loses http now.
  const third = await packPlugin(fx.work, { name, version: '3.0.0', capabilities: { kv: true, emit: ['orders.x'], http: { hosts: ['api.example.com'] }, secrets: ['TOKEN'] } });
  const narrowed = await fx.host.pluginManager.install({ spec: third, grants: ['kv', 'emit:orders.x'] });
  assert.equal(narrowed.change, 'pending');
  assert.deepEqual(narrowed.installed.grants, ['kv', 'emit:orders.x']);
  assert.deepEqual(fx.host.plugins.find((p) => p.name === name)?.spec.capabilities.http, [], 'the revoked grant no longer applies to the running version');
  await fx.host.pluginManager.uninstall(name);
});

test('a waiting version whose folder is gone does not block changes to the running one: it is dropped', async () => {
  const name = '@acme/lost-pending';
  await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name, version: '1.0.0', capabilities: { kv: true } }), grants: ['kv'] });
  const held = await fx.host.pluginManager.install({ spec: await packPlugin(fx.work, { name, version: '2.0.0', capabilities: { kv: true, emit: ['orders.x'] } }) });
  const pendingRoot = held.installed.pending?.root;
  assert.ok(pendingRoot !== undefined);
  await rm(join(fx.stateDir, pendingRoot), { recursive: true, force: true });
  const disabled = await fx.host.pluginManager.update(name, { enabled: false });
  assert.equal(disabled.installed.enabled, false);
  assert.equal(disabled.installed.pending, undefined);
  assert.equal(disabled.installed.version, '1.0.0');
  await fx.host.pluginManager.uninstall(name);
});
