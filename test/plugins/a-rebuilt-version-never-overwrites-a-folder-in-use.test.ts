// Version folders are never rewritten with other content. After an upgrade
// the replaced version's folder stays (its instances may still finish a
// batch), and the state file no longer names it; a rebuilt package with that
// same version must not land there: an instance's key derives from its root,
// so the new content would go live on the old instances without its init
// ever running. It gets a folder named after its content instead, while the
// very same content finds its folder again and leaves it untouched.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { unpackPlugin, type UnpackOptions } from '../../src/plugins/plugin-installer.ts';
import { writePluginFolder } from './plugin-packages.ts';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'plexus-rebuilt-'));
});
after(() => rm(work, { recursive: true, force: true }));

test('a rebuilt 1.0.0 goes to a folder of its own; the original content finds its folder unchanged', async () => {
  const stateDir = join(work, 'state');
  // Nothing recorded: as after an upgrade replaced 1.0.0 (its folder kept, no longer referenced).
  const options: UnpackOptions = { stateDir, registry: 'http://127.0.0.1:9/', hostApiVersion: '1.0.0', recorded: new Map() };
  const original = { name: '@acme/rebuilt', version: '1.0.0', execute: "ctx.log.info('A', {});" };
  const first = await unpackPlugin(await writePluginFolder(await mkdtemp(join(work, 'a-')), original), options);
  assert.equal(first.root, 'plugins/@acme/rebuilt/1.0.0');
  const mainOf = (root: string) => readFile(join(stateDir, root, 'dist', 'plugin.js'), 'utf8');
  const before = await stat(join(stateDir, first.root, 'dist', 'plugin.js'));

  const rebuilt = await unpackPlugin(await writePluginFolder(await mkdtemp(join(work, 'b-')), { ...original, execute: "ctx.log.info('B', {});" }), options);
  assert.notEqual(rebuilt.integrity, first.integrity);
  assert.match(rebuilt.root, /^plugins\/@acme\/rebuilt\/1\.0\.0\+[0-9a-f]{8}$/);
  assert.match(await mainOf(rebuilt.root), /'B'/);
  assert.match(await mainOf(first.root), /'A'/, 'the folder the old instances came from is as it was');

  const again = await unpackPlugin(await writePluginFolder(await mkdtemp(join(work, 'c-')), original), options);
  assert.equal(again.root, first.root, 'the same content goes back to its own folder');
  assert.equal((await stat(join(stateDir, first.root, 'dist', 'plugin.js'))).mtimeMs, before.mtimeMs, 'and leaves it untouched');
});
