import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

const source = { 'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });\n` };

test('build refuses a manifest asking for an unknown capability, naming the field', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson({ capabilities: { kv: true, telepathy: true } }), source);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /^plexus-plugin: PLEXUS_INVALID_MANIFEST: /);
  assert.match(run.stderr, /plexus\.capabilities\.telepathy is not a known field/);
});

test('build refuses a manifest missing a required field, naming the field', async (t) => {
  const dir = await tempDir(t);
  // JSON drops undefined: the written manifest has no "main".
  await writePackage(dir, validPackageJson({ main: undefined }), source);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /PLEXUS_INVALID_MANIFEST: .*plexus\.main is required/);
});

test('build refuses a folder without package.json', async (t) => {
  const dir = await tempDir(t);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /^plexus-plugin: PLEXUS_INVALID_MANIFEST: no package\.json/);
});
