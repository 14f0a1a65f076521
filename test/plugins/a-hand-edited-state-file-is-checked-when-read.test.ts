// The plugin state file is the operator's to read, diff and edit. A broken
// edit must stop the host with the file's name and what is wrong in it, not
// with a JSON or path error from deep inside start-up; and a write must leave
// either the old file or the new one, with no temp files beside it.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { readPluginState, writePluginState, type PluginStateFile } from '../../src/plugins/plugin-state.ts';
import { pluginFolder } from '../../src/plugins/version-folders.ts';

const GOOD: PluginStateFile = { version: 1, plugins: [{ name: '@acme/a', version: '1.0.0', root: 'plugins/@acme/a/1.0.0', enabled: true, grants: ['kv'], config: { n: 1 } }] };

async function refusal(text: string): Promise<PlexusError> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-state-'));
  try {
    const path = join(dir, 'plugins.json');
    await writeFile(path, text);
    const err = await readPluginState(path).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PlexusError, `expected a PlexusError for ${text}, got ${String(err)}`);
    assert.equal(err.code, 'PLEXUS_INVALID_CONFIG');
    assert.ok(err.message.includes(path), err.message);
    return err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a state file cut short is refused as invalid JSON, naming the file', async () => {
  const err = await refusal('{"version":1,"plugins":[');
  assert.match(err.message, /not valid JSON/);
});

test('a plugin entry missing its version and root is refused naming both fields', async () => {
  const err = await refusal(JSON.stringify({ version: 1, plugins: [{ name: 'x', enabled: true, grants: [], config: {} }] }));
  assert.match(err.message, /plugins\[0\]\.version/);
  assert.match(err.message, /plugins\[0\]\.root/);
});

test('grants written as one string instead of a list are refused', async () => {
  const err = await refusal(JSON.stringify({ version: 1, plugins: [{ ...GOOD.plugins[0], grants: 'kv' }] }));
  assert.match(err.message, /plugins\[0\]\.grants/);
});

test('another version of the file, or a list at the top, is refused', async () => {
  await refusal(JSON.stringify({ version: 2, plugins: [] }));
  await refusal(JSON.stringify([GOOD.plugins[0]]));
});

test('a written state reads back the same and leaves no temp file beside it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-state-'));
  try {
    const path = join(dir, 'state', 'plugins.json');
    await Promise.all([writePluginState(path, GOOD), writePluginState(path, { version: 1, plugins: [] })]);
    await writePluginState(path, GOOD);
    assert.deepEqual(await readPluginState(path), GOOD);
    assert.deepEqual(await readdir(join(dir, 'state')), ['plugins.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing state file is an empty one', async () => {
  assert.deepEqual(await readPluginState(join(tmpdir(), `plexus-none-${process.pid}`, 'plugins.json')), { version: 1, plugins: [] });
});

test('a name that is not a package name is refused: it would point removals at another plugin or outside the state dir', async () => {
  for (const name of ['@acme', '../../operator-files', 'Upper', '@acme/../x']) {
    const err = await refusal(JSON.stringify({ version: 1, plugins: [{ ...GOOD.plugins[0], name }] }));
    assert.match(err.message, /plugins\[0\]\.name must be an npm package name/, name);
  }
});

test('no folder path is made from a name that is not a package name', () => {
  for (const name of ['@acme', '../../operator-files', '']) assert.throws(() => pluginFolder('/state', name), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_REQUEST', name);
  assert.equal(pluginFolder('/state', '@acme/real'), '/state/plugins/@acme/real');
});
