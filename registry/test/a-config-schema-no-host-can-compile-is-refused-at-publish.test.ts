// A config schema can pass the JSON Schema meta-schema and still not compile
// (a "$ref" to a definition that is not there, a "pattern" that is not a
// regular expression). Every host refuses such a plugin at install, so the
// registry published packages nobody could install. It now refuses them at
// publish with PLEXUS_INVALID_MANIFEST and stores nothing; a schema that
// compiles is published as before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { packTarball, pluginPackageJson, publish, publishBody, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

let fx: RegistryFixture;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

async function published(name: string, config: Record<string, unknown>) {
  const base = pluginPackageJson(name, '1.0.0');
  const pkg = { ...base, plexus: { ...(base.plexus as Record<string, unknown>), config } };
  return publish(fx.url, pkg, TOKEN, publishBody(pkg, await packTarball(pkg)));
}

test('a config schema that cannot compile is refused at publish; one that compiles is published', async () => {
  const badPattern = await published('bad-pattern', { type: 'object', properties: { region: { type: 'string', pattern: '(' } } });
  assert.equal(badPattern.status, 400, JSON.stringify(badPattern.body));
  assert.equal((badPattern.body as { code: string }).code, 'PLEXUS_INVALID_MANIFEST');
  assert.match((badPattern.body as { message: string }).message, /plexus\.config is not a usable JSON Schema/);
  assert.equal((await request(`${fx.url}/bad-pattern`)).status, 404, 'nothing stored');

  const missingRef = await published('missing-ref', { type: 'object', properties: { region: { $ref: '#/$defs/region' } } });
  assert.equal(missingRef.status, 400, JSON.stringify(missingRef.body));
  assert.equal((missingRef.body as { code: string }).code, 'PLEXUS_INVALID_MANIFEST');

  const good = await published('good-schema', { type: 'object', properties: { region: { type: 'string', pattern: '^[a-z]+$' } } });
  assert.equal(good.status, 201, JSON.stringify(good.body));
});
