// plexus.main and a plexus.config file are read from the package folder by
// the build and by createTestHost, but hosts and the Plexus registry read them
// from the published tarball, which holds only what package.json "files"
// names. A file left out passed build and test and was refused only at
// publish (or, on another registry, at every host's install).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir, validPackageJson, writePackage } from './cli-fixture.ts';

const source = { 'src/plugin.ts': `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });\n` };
const schema = JSON.stringify({ type: 'object', properties: { currency: { type: 'string', default: 'EUR' } } });

const withFiles = (files: string[], plexus: object = {}): object => ({ ...validPackageJson(plexus), files });

test('build refuses a config schema file that "files" leaves out of the tarball', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, withFiles(['dist', 'README.md'], { config: 'config.schema.json' }), { ...source, 'config.schema.json': schema });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /^plexus-plugin: PLEXUS_INVALID_MANIFEST: plexus\.config: "config\.schema\.json" is not in package\.json "files".*add "config\.schema\.json" \(or its folder\) to "files"/);
});

test('build refuses a main that "files" leaves out of the tarball', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, withFiles(['lib']), source);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /PLEXUS_INVALID_MANIFEST: plexus\.main: "dist\/plugin\.js" is not in package\.json "files"/);
});

test('build refuses a file that a "files" negation takes out again', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, withFiles(['dist', '!dist/plugin.js']), source);

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /plexus\.main: "dist\/plugin\.js" is not in package\.json "files"/);
});

test('build accepts "files" entries that name the files as folders, globs or ./paths', async (t) => {
  for (const files of [['dist/', './schemas'], ['dist/**', 'schemas/*.json'], ['/dist/plugin.js', 'schemas/config.schema.json']]) {
    const dir = await tempDir(t);
    await writePackage(dir, withFiles(files, { config: 'schemas/config.schema.json' }), { ...source, 'schemas/config.schema.json': schema });

    const run = await runCli(['build'], dir);

    assert.equal(run.code, 0, `${JSON.stringify(files)}: ${run.stderr}`);
  }
});

test('build accepts a package without "files", whose tarball npm does not narrow by it', async (t) => {
  const dir = await tempDir(t);
  await writePackage(dir, validPackageJson({ config: 'config.schema.json' }), { ...source, 'config.schema.json': schema });

  const run = await runCli(['build'], dir);

  assert.equal(run.code, 0, run.stderr);
});
