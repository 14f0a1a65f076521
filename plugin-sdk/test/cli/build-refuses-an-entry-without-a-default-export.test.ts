// The sandbox loads a plugin's default export (definePlugin's result): a
// bundle without one builds fine but fails every delivery with
// PLEXUS_PLUGIN_LOAD_FAILED. The build says so first, and leaves no bundle.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

test('build refuses an entry that only has named exports, naming the fix', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson(), {
    'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nexport const plugin = definePlugin({ execute() {} });\n`,
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /^plexus-plugin: build failed: src\/plugin\.ts has no default export: a plugin module ends with export default definePlugin/);
  assert.equal(existsSync(join(dir, 'dist/plugin.js')), false);
});

test('a default export re-exported from another file of the package still builds', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson(), {
    'src/plugin.ts': `export { default } from './impl.ts';\n`,
    'src/impl.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });\n`,
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(join(dir, 'dist/plugin.js')), true);
});
