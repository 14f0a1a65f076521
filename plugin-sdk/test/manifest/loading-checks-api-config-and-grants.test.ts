import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '../../src/errors.ts';
import { assertApiCompatible } from '../../src/manifest/api-compat.ts';
import { effectiveCapabilities, missingGrants, parseGrants, patternCovers } from '../../src/manifest/grants.ts';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

const code = (expected: string) => (err: unknown) => err instanceof PlexusError && err.code === expected;

test('a plugin whose apiVersion does not accept the host API is refused with PLEXUS_INCOMPATIBLE_API', () => {
  assertApiCompatible('p', '^1.0.0', '1.0.0');
  assert.throws(() => assertApiCompatible('p', '^2.0.0', '1.0.0'), code('PLEXUS_INCOMPATIBLE_API'));
  assert.throws(() => assertApiCompatible('p', '>=1.1.0 <2', '1.0.0'), /needs host API >=1.1.0 <2; this host provides 1.0.0/);
});

test('operator config is validated against the plugin schema, defaults applied, frozen; failures name the path', async () => {
  const root = await writePlugin({
    name: 'configured',
    config: { type: 'object', properties: { currency: { type: 'string', default: 'EUR' }, retries: { type: 'integer', minimum: 0 } }, required: ['retries'], additionalProperties: false },
    source: 'export default {}',
  });
  const { spec } = await loadPlugin(root, { config: { retries: 2 } });
  assert.deepEqual(spec.config, { retries: 2, currency: 'EUR' });
  assert.ok(Object.isFrozen(spec.config));
  await assert.rejects(loadPlugin(root, { config: { retries: -1 } }), (err: unknown) => code('PLEXUS_INVALID_CONFIG')(err) && /config\.retries must be >= 0/.test((err as Error).message));
  await assert.rejects(loadPlugin(root, { config: {} }), /config\.retries is required/);
  await assert.rejects(loadPlugin(root, { config: { retries: 1, extra: true } }), /config\.extra is not a known field/);
});

test('a config schema may live in a .json file of the package', async () => {
  const root = await writePlugin({ name: 'schema-file', source: 'export default {}', files: { 'config.schema.json': JSON.stringify({ type: 'object', properties: { level: { enum: ['a', 'b'], default: 'a' } } }) } });
  const pkgPath = `${root}/package.json`;
  const { readFile, writeFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
  pkg.plexus.config = 'config.schema.json';
  await writeFile(pkgPath, JSON.stringify(pkg));
  assert.deepEqual((await loadPlugin(root)).spec.config, { level: 'a' });
  await assert.rejects(loadPlugin(root, { config: { level: 'c' } }), /config\.level must be one of \["a","b"\]/);
});

test('the effective capabilities are requested ∩ granted', () => {
  const request = { kv: true, emit: ['orders.enriched', 'audit.#'], http: { hosts: ['api.example.com', 'Other.example:8443'] }, secrets: ['A', 'B'] };
  const caps = effectiveCapabilities(request, parseGrants(['emit:orders.*', 'http:other.example:8443', 'http:unrequested.example', 'secrets:B', 'secrets:C']));
  assert.equal(caps.kv, false);
  assert.deepEqual(caps.emit, { requested: ['orders.enriched', 'audit.#'], granted: ['orders.*'] });
  assert.deepEqual(caps.http, ['other.example:8443']);
  assert.deepEqual(caps.secrets, ['B']);
});

test('missing grants list exactly what an upgrade needs before it can activate', () => {
  const request = { kv: true, emit: ['orders.enriched', 'audit.#'], http: { hosts: ['api.example.com'] }, secrets: ['A'] };
  assert.deepEqual(missingGrants(request, parseGrants(['kv', 'emit:orders.*', 'http:api.example.com'])), ['emit:audit.#', 'secrets:A']);
  assert.deepEqual(missingGrants(request, parseGrants(['kv', 'emit:#', 'http:api.example.com', 'secrets:A'])), []);
});

test('pattern coverage is exact for literals, * and #', () => {
  assert.ok(patternCovers('orders.*', 'orders.created'));
  assert.ok(patternCovers('orders.#', 'orders.*.created'));
  assert.ok(patternCovers('#', 'a.#'));
  assert.ok(!patternCovers('orders.*', 'orders.#'));
  assert.ok(!patternCovers('orders.created', 'orders.*'));
  assert.ok(!patternCovers('a.*.#', 'a.#'));
});

test('malformed grants are refused', () => {
  for (const grant of ['kv:x', 'emit:', 'http:http://x', 'secrets:no-dash', 'shell']) assert.throws(() => parseGrants([grant]), code('PLEXUS_INVALID_REQUEST'), grant);
});

test('limits: a plugin may ask for less than the operator ceiling, never more', async () => {
  const root = await writePlugin({ name: 'greedy', limits: { memoryMb: 1024, timeoutMs: 100 }, source: 'export default {}' });
  const { spec } = await loadPlugin(root, { ceiling: { memoryMb: 128, timeoutMs: 5000 } });
  assert.equal(spec.limits.memoryMb, 128);
  assert.equal(spec.limits.timeoutMs, 100);
});
