import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestHost } from '../../src/testing.ts';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

test('build bundles npm dependencies, keeps @plexus/plugin-sdk as the only import, and the bundle runs in the sandbox', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson(), {
    'node_modules/shout/package.json': JSON.stringify({ name: 'shout', version: '1.0.0', type: 'module', exports: './index.js' }),
    'node_modules/shout/index.js': `export const shout = (s) => s.toUpperCase() + '!';\n`,
    'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nimport { shout } from 'shout';\nexport default definePlugin({ execute(event, ctx) { ctx.log.info(shout(event.type)); } });\n`,
  });

  const run = await runCli(['build', '--minify'], dir);

  assert.equal(run.code, 0, run.stderr);
  const bundle = await readFile(join(dir, 'dist/plugin.js'), 'utf8');
  assert.deepEqual([...bundle.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]), ['@plexus/plugin-sdk']);
  assert.match(bundle, /toUpperCase/);

  const host = await createTestHost({ plugin: dir });
  t.after(() => host.close());
  const outcome = await host.deliver({ type: 'test.event' });
  assert.deepEqual(outcome.logs.map((l) => l.message), ['TEST.EVENT!']);
});
