import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

test('build refuses a plugin importing node:fs, naming the import and where it is', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson(), {
    'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nimport { readFileSync } from 'node:fs';\nexport default definePlugin({ execute() { readFileSync('/etc/passwd'); } });\n`,
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /^plexus-plugin: build failed:/);
  assert.match(run.stderr, /src\/plugin\.ts:2:\d+: "node:fs" is a Node\.js built-in module/);
  assert.equal(existsSync(join(dir, 'dist/plugin.js')), false, 'no bundle is written');
});

test('build refuses a built-in imported without the node: prefix, even deep in a dependency', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson(), {
    'node_modules/tiny-hash/package.json': JSON.stringify({ name: 'tiny-hash', version: '1.0.0', main: 'index.js' }),
    'node_modules/tiny-hash/index.js': `const crypto = require('crypto');\nmodule.exports = (s) => crypto.createHash('sha1').update(s).digest('hex');\n`,
    'src/plugin.js': `import { definePlugin } from '@plexus/plugin-sdk';\nimport hash from 'tiny-hash';\nexport default definePlugin({ execute(event) { return hash(event.id); } });\n`,
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /node_modules\/tiny-hash\/index\.js:1:\d+: "crypto" is a Node\.js built-in module/);
});

test('build refuses a bundle larger than a sandbox loads, and leaves none behind', async (t) => {
  const dir = await tempDir(t);
  // ~9 MB of string data: it builds, but an isolate would refuse the module at every load.
  const blob = 'x'.repeat(9 * 1024 * 1024);
  await writePackage(dir, validPackageJson(), {
    'src/plugin.js': `import { definePlugin } from '@plexus/plugin-sdk';\nconst blob = "${blob}";\nexport default definePlugin({ execute() { return blob.length; } });\n`,
  });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /build failed: dist\/plugin\.js is \d+\.\d kB, over the 8192\.0 kB a sandbox loads/);
  assert.equal(existsSync(join(dir, 'dist/plugin.js')), false, 'no bundle is left');
});
