// Temp folders with config files in them, and a matcher for config refusals.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-config-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeConfig(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A PLEXUS_INVALID_CONFIG whose message contains every `fragment`. */
export async function assertInvalidConfig(promise: Promise<unknown>, ...fragments: string[]): Promise<PlexusError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof PlexusError, String(caught));
  assert.equal(caught.code, 'PLEXUS_INVALID_CONFIG');
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `"${caught.message}" should include "${fragment}"`);
  return caught;
}
