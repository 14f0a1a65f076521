// Each sandbox process run from the SDK's TypeScript sources strips the
// in-sandbox SDK's types; the first strip in a process costs ~60 ms of CPU,
// so the result is kept in Node's compile cache directory, named by the hash
// of what it was made from. A changed source must never get a stale result.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { strippedSource } from '../../src/sandbox/sdk-source.ts';

const files = [
  { text: 'export const a: number = 1;\n', typed: true },
  { text: 'export function b(x: string): string { return x; }\n', typed: true },
];
const expected = files.map((f) => stripTypeScriptTypes(f.text, { mode: 'strip' })).join('\n');

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'plexus-sdk-source'))).map((name) => join(dir, 'plexus-sdk-source', name));
}

test('the stripped source is written once and read back while its sources are unchanged', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-sdk-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await strippedSource(files, dir), expected);
  const [cached, ...others] = await cacheFiles(dir);
  assert.equal(others.length, 0, 'one entry, no file left aside');
  // What is served is the cached file: marked, it comes back marked.
  await writeFile(cached as string, `${expected}// from the cache\n`);
  assert.equal(await strippedSource(files, dir), `${expected}// from the cache\n`);
});

test('a changed source is stripped again, not served the old result', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-sdk-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await strippedSource(files, dir);
  const changed = [files[0] as (typeof files)[0], { text: 'export function b(x: string): string { return x + x; }\n', typed: true }];
  const result = await strippedSource(changed, dir);
  assert.match(result, /return x \+ x;/);
  assert.equal((await cacheFiles(dir)).length, 2);
});

test('without a cache directory, or with one that cannot be written, the source is stripped all the same', async (t) => {
  assert.equal(await strippedSource(files, undefined), expected);
  const dir = await mkdtemp(join(tmpdir(), 'plexus-sdk-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A file where the folder would go: neither made nor written (and root ignores modes).
  await writeFile(join(dir, 'plexus-sdk-source'), 'not a folder');
  assert.equal(await strippedSource(files, dir), expected);
});
