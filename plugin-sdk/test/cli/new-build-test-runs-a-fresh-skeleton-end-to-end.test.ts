import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOST_API_VERSION } from '../../src/index.ts';
import { validatePackageJson } from '../../src/runtime.ts';
import { linkSdk, runCli, tempDir } from './cli-fixture.ts';

test('new writes a skeleton whose build and own sandboxed tests pass', async (t) => {
  const parent = await tempDir(t);
  const dir = join(parent, 'greeter');

  const created = await runCli(['new', dir, '--name', '@acme/plexus-greeter'], parent);
  assert.equal(created.code, 0, created.stderr);
  for (const file of ['package.json', 'src/plugin.ts', 'test/plugin.test.ts', 'README.md', '.gitignore', 'tsconfig.json', 'test/tsconfig.json', 'src/sandbox-globals.d.ts']) {
    assert.ok(existsSync(join(dir, file)), `${file} is created`);
  }
  assert.match(await readFile(join(dir, '.gitignore'), 'utf8'), /^\.npmrc$/m, "the registry token's file stays out of git");
  const pkg = validatePackageJson(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  assert.equal(pkg.name, '@acme/plexus-greeter');
  assert.equal(pkg.plexus.apiVersion, `^${HOST_API_VERSION.split('.')[0]}.0.0`);
  assert.deepEqual(pkg.scripts, { build: 'plexus-plugin build', test: 'plexus-plugin test', typecheck: 'tsc -p . && tsc -p test', prepack: 'plexus-plugin build' });
  assert.deepEqual(pkg.keywords, ['plexus-plugin']);
  assert.ok(pkg.plexus.config && typeof pkg.plexus.config === 'object', 'the manifest carries a config schema');

  const built = await runCli(['build'], dir);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /built dist\/plugin\.js \(\d+(\.\d)? k?B\) from src\/plugin\.ts/);
  const bundle = await readFile(join(dir, 'dist/plugin.js'), 'utf8');
  assert.match(bundle, /from "@plexus\/plugin-sdk"/, 'the SDK stays an import: the sandbox provides it');

  await linkSdk(dir);
  // TAP, so the counts below do not depend on the default reporter.
  const tested = await runCli(['test', '--', '--test-reporter=tap'], dir);
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /# pass 2\n/);
  assert.match(tested.stdout, /# fail 0\n/);
});

test('test propagates a failing test run as a non-zero exit', async (t) => {
  const parent = await tempDir(t);
  const dir = join(parent, 'broken');
  assert.equal((await runCli(['new', dir], parent)).code, 0);
  await linkSdk(dir);
  // Count by 2: the skeleton's counting test must now fail.
  const source = await readFile(join(dir, 'src/plugin.ts'), 'utf8');
  await writeFile(join(dir, 'src/plugin.ts'), source.replace('}`);', '}`, 2);'));

  const tested = await runCli(['test', '--', '--test-reporter=tap'], dir);

  assert.equal(tested.code, 1);
  assert.match(tested.stdout, /# fail 1\n/);
});

test('test refuses a test file whose name node --test would read as a glob, instead of passing without it', async (t) => {
  const parent = await tempDir(t);
  const dir = join(parent, 'globby');
  assert.equal((await runCli(['new', dir], parent)).code, 0);
  await linkSdk(dir);
  await writeFile(join(dir, 'test/[route].test.ts'), "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\ntest('fails', () => assert.fail('must run'));\n");

  const tested = await runCli(['test'], dir);

  assert.equal(tested.code, 1);
  assert.match(tested.stderr, /test\/\[route\]\.test\.ts: node --test reads file names as glob patterns/);
});
