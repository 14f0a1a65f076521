import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './cli-fixture.ts';

test('new refuses a non-empty folder and leaves it untouched', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'package.json'), '{"name":"precious"}');

  const run = await runCli(['new', dir], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /^plexus-plugin: .* is not empty/);
  assert.deepEqual(await readdir(dir), ['package.json']);
  assert.equal(await readFile(join(dir, 'package.json'), 'utf8'), '{"name":"precious"}');
});

test('new refuses a package name npm would refuse', async (t) => {
  const dir = await tempDir(t);

  const run = await runCli(['new', join(dir, 'p'), '--name', 'Not A Name'], dir);

  assert.equal(run.code, 1);
  assert.match(run.stderr, /"Not A Name" is not a valid npm package name/);
  assert.deepEqual(await readdir(dir), []);
  // Longer than npm (and the build) allow: refused here, not after the skeleton is written.
  const long = await runCli(['new', join(dir, 'p'), '--name', 'n'.repeat(215)], dir);
  assert.equal(long.code, 1);
  assert.match(long.stderr, /is not a valid npm package name \(at most 214 characters/);
  assert.deepEqual(await readdir(dir), []);
});

test('new without a folder, or with an unknown flag, explains the usage', async (t) => {
  const dir = await tempDir(t);

  const missing = await runCli(['new'], dir);
  const unknown = await runCli(['new', 'x', '--force'], dir);

  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing <dir>/);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Unknown option '--force'.*plexus-plugin new --help/);
});
