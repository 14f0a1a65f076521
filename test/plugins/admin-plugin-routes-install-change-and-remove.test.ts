// The plugin routes of the admin API (CONTRACT §7) on a real host: POST
// installs (201), upgrades (200) or holds back (202); GET lists and shows;
// PATCH grants, configures, disables; DELETE uninstalls; errors in the one
// body shape with their codes; scoped names encoded or as two segments.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildAdminApp } from '../../src/admin/admin-app.ts';
import { adminFixture, assertError, AUTH, TOKEN } from '../admin/admin-fixture.ts';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
let app: FastifyInstance;
before(async () => {
  fx = await startHostFixture();
  app = buildAdminApp({ host: fx.host, logger: fx.logger, token: TOKEN });
});
after(async () => {
  await app.close();
  await fx.close();
});

const NAME = '@acme/routed';
const ENCODED = encodeURIComponent(NAME);
const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });

test('POST installs (201), upgrades (200) and holds back an ungranted version (202)', async () => {
  const first = await request('POST', '/v1/plugins', { spec: await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', capabilities: { kv: true } }), grants: ['kv'], config: {} });
  assert.equal(first.statusCode, 201, first.body);
  assert.deepEqual(
    (({ name, version, status, enabled, grants, change }) => ({ name, version, status, enabled, grants, change }))(first.json()),
    { name: NAME, version: '1.0.0', status: 'active', enabled: true, grants: ['kv'], change: 'installed' },
  );
  const upgrade = await request('POST', '/v1/plugins', { spec: await packPlugin(fx.work, { name: NAME, version: '1.1.0', capabilities: { kv: true } }) });
  assert.equal(upgrade.statusCode, 200, upgrade.body);
  assert.equal(upgrade.json().change, 'upgraded');
  const held = await request('POST', '/v1/plugins', { spec: await packPlugin(fx.work, { name: NAME, version: '1.2.0', capabilities: { kv: true, http: { hosts: ['api.example.com'] } } }) });
  assert.equal(held.statusCode, 202, held.body);
  assert.deepEqual(held.json().pending, { version: '1.2.0', missingGrants: ['http:api.example.com'], source: held.json().pending.source });
  assert.equal(held.json().version, '1.1.0');
});

test('GET lists what runs and what is installed; GET one by encoded name or two segments', async () => {
  const list = await request('GET', '/v1/plugins');
  assert.equal(list.statusCode, 200);
  const body = list.json();
  assert.deepEqual(body.plugins.map((p: { name: string; version: string }) => `${p.name}@${p.version}`), [`${NAME}@1.1.0`]);
  assert.deepEqual(body.installed.map((p: { name: string; status: string }) => [p.name, p.status]), [[NAME, 'active']]);
  for (const url of [`/v1/plugins/${ENCODED}`, `/v1/plugins/${NAME}`]) {
    const one = await request('GET', url);
    assert.equal(one.statusCode, 200, `${url}: ${one.body}`);
    assert.equal(one.json().pending.version, '1.2.0');
    assert.equal(one.json().root, 'plugins/@acme/routed/1.1.0');
  }
  assertError(await request('GET', '/v1/plugins/%40acme%2Fnobody'), 404, 'PLEXUS_NOT_FOUND', 'not installed');
  assertError(await request('GET', '/v1/plugins/acme/routed'), 404, 'PLEXUS_NOT_FOUND');
});

test('PATCH grants activate the held-back version; PATCH disables and enables; bad bodies are refused', async () => {
  const granted = await request('PATCH', `/v1/plugins/${ENCODED}`, { grants: ['kv', 'http:api.example.com'] });
  assert.equal(granted.statusCode, 200, granted.body);
  assert.equal(granted.json().version, '1.2.0');
  assert.equal(granted.json().change, 'upgraded');
  const disabled = await request('PATCH', `/v1/plugins/${ENCODED}`, { enabled: false });
  assert.equal(disabled.json().status, 'disabled');
  assert.deepEqual(fx.host.plugins, []);
  const enabled = await request('PATCH', `/v1/plugins/${NAME}`, { enabled: true });
  assert.equal(enabled.json().status, 'active');
  assertError(await request('PATCH', `/v1/plugins/${ENCODED}`, {}), 400, 'PLEXUS_INVALID_REQUEST');
  assertError(await request('PATCH', `/v1/plugins/${ENCODED}`, { version: '9.9.9' }), 400, 'PLEXUS_INVALID_REQUEST');
  assertError(await request('PATCH', `/v1/plugins/${ENCODED}`, { grants: ['root'] }), 400, 'PLEXUS_INVALID_REQUEST', 'grant');
  assertError(await request('POST', '/v1/plugins', { grants: [] }), 400, 'PLEXUS_INVALID_REQUEST', 'spec');
  assertError(await request('POST', '/v1/plugins', { spec: join(fx.work, 'nothing.tgz') }), 404, 'PLEXUS_NOT_FOUND');
  assertError(await request('POST', '/v1/plugins', { spec: await packPlugin(fx.work, { name: '@acme/future', version: '1.0.0', apiVersion: '^2.0.0' }) }), 400, 'PLEXUS_INCOMPATIBLE_API');
});

test('PATCH grant and revoke apply to the grants current when the change runs: concurrent changes all take effect', async () => {
  // Sent at once: each is applied in turn to the list the one before left, so none undoes another.
  const changes = await Promise.all([
    request('PATCH', `/v1/plugins/${ENCODED}`, { grant: ['secrets:API_KEY'] }),
    request('PATCH', `/v1/plugins/${ENCODED}`, { revoke: ['http:api.example.com'] }),
    request('PATCH', `/v1/plugins/${ENCODED}`, { grant: ['emit:orders.*'] }),
  ]);
  for (const change of changes) assert.equal(change.statusCode, 200, change.body);
  const after = (await request('GET', `/v1/plugins/${ENCODED}`)).json() as { grants: string[] };
  assert.deepEqual([...after.grants].sort(), ['emit:orders.*', 'kv', 'secrets:API_KEY']);
  const back = await request('PATCH', `/v1/plugins/${ENCODED}`, { grant: ['http:api.example.com'], revoke: ['emit:orders.*', 'secrets:API_KEY'] });
  assert.deepEqual([...(back.json() as { grants: string[] }).grants].sort(), ['http:api.example.com', 'kv']);
  assertError(await request('PATCH', `/v1/plugins/${ENCODED}`, { grant: ['root'] }), 400, 'PLEXUS_INVALID_REQUEST', 'grant');
});

test('DELETE uninstalls: not served, not in plugins.json, files gone', async () => {
  const removed = await request('DELETE', `/v1/plugins/${ENCODED}`);
  assert.equal(removed.statusCode, 200, removed.body);
  assert.deepEqual(removed.json(), { name: NAME, version: '1.2.0', uninstalled: true });
  assert.deepEqual(fx.host.plugins, []);
  assert.deepEqual((await request('GET', '/v1/plugins')).json().installed, []);
  assert.equal(existsSync(join(fx.stateDir, 'plugins', '@acme', 'routed')), false);
  assertError(await request('DELETE', `/v1/plugins/${ENCODED}`), 404, 'PLEXUS_NOT_FOUND');
});

test('a host without a plugin manager answers 503 to changes and lists no installed plugins', async () => {
  const { app: bare } = adminFixture();
  assertError(await bare.inject({ method: 'POST', url: '/v1/plugins', headers: AUTH, payload: { spec: 'x' } }), 503, 'PLEXUS_UNAVAILABLE');
  assert.equal((await bare.inject({ method: 'GET', url: '/v1/plugins', headers: AUTH })).json().installed, undefined);
  assertError(await bare.inject({ method: 'DELETE', url: '/v1/plugins/x' }), 401, 'PLEXUS_UNAUTHORIZED');
});
