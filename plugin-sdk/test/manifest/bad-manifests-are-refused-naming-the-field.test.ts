import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '../../src/errors.ts';
import { validatePackageJson } from '../../src/manifest/validate-manifest.ts';

const good = () => ({
  name: '@acme/plexus-order-enricher',
  version: '1.4.0',
  keywords: ['plexus-plugin'],
  plexus: {
    apiVersion: '^1.0.0',
    main: 'dist/plugin.js',
    subscribe: ['orders.*.created', 'payments.#'],
    config: { type: 'object', properties: { currency: { type: 'string', default: 'EUR' } }, required: [] },
    capabilities: { kv: true, emit: ['orders.enriched'], http: { hosts: ['api.example.com'] }, secrets: ['EXCHANGE_API_KEY'] },
    limits: { memoryMb: 64, timeoutMs: 2000 },
  },
});

test('the CONTRACT §2 example manifest is valid', () => {
  assert.equal(validatePackageJson(good()).name, '@acme/plexus-order-enricher');
});

const refusals: [string, (p: ReturnType<typeof good>) => void, RegExp][] = [
  ['missing apiVersion', (p) => { delete (p.plexus as Partial<typeof p.plexus>).apiVersion; }, /plexus\.apiVersion is required/],
  ['bad semver range', (p) => { p.plexus.apiVersion = 'banana'; }, /plexus\.apiVersion must be a valid semver range/],
  ['main outside the package', (p) => { p.plexus.main = '../evil.js'; }, /plexus\.main/],
  ['main not a module', (p) => { p.plexus.main = 'dist/plugin.json'; }, /plexus\.main/],
  ['empty subscribe', (p) => { p.plexus.subscribe = []; }, /plexus\.subscribe/],
  ['malformed pattern', (p) => { p.plexus.subscribe = ['orders..created']; }, /plexus\.subscribe\[0\]/],
  ['partial-word wildcard', (p) => { p.plexus.subscribe = ['orders.cre*']; }, /plexus\.subscribe\[0\]/],
  ['unknown capability', (p) => { (p.plexus.capabilities as Record<string, unknown>).shell = true; }, /plexus\.capabilities\.shell is not a known field/],
  ['bad emit pattern', (p) => { p.plexus.capabilities.emit = ['a b']; }, /plexus\.capabilities\.emit\[0\]/],
  ['bad host', (p) => { p.plexus.capabilities.http.hosts = ['http://x.com/path']; }, /plexus\.capabilities\.http\.hosts\[0\]/],
  ['bad secret name', (p) => { p.plexus.capabilities.secrets = ['not-a-name']; }, /plexus\.capabilities\.secrets\[0\]/],
  ['limits out of range', (p) => { p.plexus.limits.memoryMb = 1; }, /plexus\.limits\.memoryMb/],
  ['invalid config schema', (p) => { (p.plexus as Record<string, unknown>).config = { type: 'nope' }; }, /plexus\.config is not a valid JSON Schema/],
  // An "$async" schema's validator answers a promise (always truthy): every config would pass, and a refusal would reject unhandled.
  ['$async config schema', (p) => { (p.plexus as Record<string, unknown>).config = { $async: true, type: 'object' }; }, /plexus\.config must not be an "\$async" schema/],
  ['draft-07 config schema', (p) => { (p.plexus as Record<string, unknown>).config = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }; }, /plexus\.config declares "\$schema".*draft 2020-12/],
  ['non-string $schema', (p) => { (p.plexus as Record<string, unknown>).config = { $schema: 5, type: 'object' }; }, /plexus\.config declares "\$schema" 5/],
  ['unknown manifest field', (p) => { (p.plexus as Record<string, unknown>).subscribes = ['x']; }, /plexus\.subscribes is not a known field/],
  ['missing keyword', (p) => { p.keywords = []; }, /keywords must include "plexus-plugin"/],
  ['bad version', (p) => { p.version = 'one'; }, /version must be a valid semver version/],
];

for (const [what, mutate, message] of refusals) {
  test(`refused with PLEXUS_INVALID_MANIFEST: ${what}`, () => {
    const pkg = good();
    mutate(pkg);
    assert.throws(() => validatePackageJson(pkg), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_MANIFEST' && message.test(err.message));
  });
}

test('a missing plexus object is refused', () => {
  assert.throws(() => validatePackageJson({ name: 'x', version: '1.0.0' }), /plexus is required/);
});
