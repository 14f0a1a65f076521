// A config schema can pass the JSON Schema meta-schema and still not compile
// (a "$ref" to nowhere, a "pattern" that is no regular expression): every host
// refuses such a plugin with PLEXUS_INVALID_MANIFEST, so the build must too,
// before it is published.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

const source = { 'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });\n` };

test('build refuses an inline config schema whose $ref resolves nowhere', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson({ config: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } }), source);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /^plexus-plugin: PLEXUS_INVALID_MANIFEST: .*plexus\.config is not a usable JSON Schema: can't resolve reference #\/\$defs\/missing/);
});

test('build refuses a config schema file whose pattern is not a regular expression', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson({ config: 'config.schema.json' }), {
    ...source,
    'config.schema.json': JSON.stringify({ type: 'object', properties: { id: { type: 'string', pattern: '(' } } }),
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /PLEXUS_INVALID_MANIFEST: .*plexus\.config is not a usable JSON Schema: Invalid regular expression/);
});
