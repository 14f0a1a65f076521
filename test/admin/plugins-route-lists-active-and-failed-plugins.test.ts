import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { DEFAULT_LIMITS } from '@plexus/plugin-sdk/runtime';
import { DEFAULT_RETRY_POLICY } from '../../src/delivery/index.ts';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { AUTH, adminFixture } from './admin-fixture.ts';

const enricher: ActivePlugin = {
  name: '@acme/enricher',
  subscribe: ['orders.*.created'],
  retry: DEFAULT_RETRY_POLICY,
  concurrency: 4,
  batchSize: 64,
  breaker: { failureThreshold: 20, coolDownMs: 30_000 },
  rateLimit: { ratePerSecond: 10, burst: 20 },
  spec: {
    key: 'k',
    name: '@acme/enricher',
    version: '1.4.0',
    root: '/plugins/enricher',
    main: 'dist/plugin.js',
    config: {},
    capabilities: { kv: true, emit: { requested: ['orders.enriched'], granted: ['orders.*'] }, http: ['api.example.com'], secrets: ['EXCHANGE_API_KEY'] },
    secrets: { EXCHANGE_API_KEY: 'the-secret-value' },
    limits: { ...DEFAULT_LIMITS, memoryMb: 64, timeoutMs: 2000 },
  },
};

test('GET /v1/plugins shows active plugins (subscriptions, capabilities, limits) and failed ones with their error', async () => {
  const { app, host } = adminFixture();
  host.plugins = [enricher];
  host.failedPlugins = [{ name: '@acme/broken', error: new PlexusError('PLEXUS_INCOMPATIBLE_API', 'wants ^2.0.0') }, { name: '@acme/odd', error: new Error('boom') }];
  const response = await app.inject({ method: 'GET', url: '/v1/plugins', headers: AUTH });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.plugins.length, 1);
  const [plugin] = body.plugins;
  assert.equal(plugin.name, '@acme/enricher');
  assert.equal(plugin.version, '1.4.0');
  assert.deepEqual(plugin.subscribe, ['orders.*.created']);
  assert.deepEqual(plugin.capabilities, enricher.spec.capabilities);
  assert.equal(plugin.limits.memoryMb, 64);
  assert.equal(plugin.limits.timeoutMs, 2000);
  assert.equal(plugin.concurrency, 4);
  assert.deepEqual(plugin.retry, { ...DEFAULT_RETRY_POLICY });
  assert.deepEqual(plugin.rateLimit, { ratePerSecond: 10, burst: 20 });
  assert.deepEqual(body.failed, [
    { name: '@acme/broken', error: { code: 'PLEXUS_INCOMPATIBLE_API', message: 'wants ^2.0.0' } },
    { name: '@acme/odd', error: { code: 'PLEXUS_PLUGIN_LOAD_FAILED', message: 'boom' } },
  ]);
});

test('secret values and package paths are not part of the answer', async () => {
  const { app, host } = adminFixture();
  host.plugins = [enricher];
  const text = (await app.inject({ method: 'GET', url: '/v1/plugins', headers: AUTH })).body;
  assert.ok(!text.includes('the-secret-value'));
  assert.ok(!text.includes('/plugins/enricher'));
});

test('no plugins: empty lists', async () => {
  const { app } = adminFixture();
  assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/plugins', headers: AUTH })).json(), { plugins: [], failed: [] });
});
