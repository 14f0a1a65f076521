// A host keeps its id in the state dir (host-id). It was created empty and
// then written, without a flush: a kill or power cut between the two left an
// empty file, and every later start failed with PLEXUS_INVALID_CONFIG until
// an operator deleted it. The id is now written whole under a temp name,
// flushed, and linked into place; an empty file left by an older version is
// replaced. Two hosts starting on one fresh state dir still agree on one id.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readOrCreateHostId } from '../../src/host/host-id.ts';
import { isHostId } from '../../src/store/host-ids.ts';

async function withStateDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-host-id-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an empty host-id file (a crash mid-write) is replaced by a new id, kept from then on', () => withStateDir(async (dir) => {
  await writeFile(join(dir, 'host-id'), '');
  const id = await readOrCreateHostId(dir);
  assert.ok(isHostId(id), id);
  assert.equal((await readFile(join(dir, 'host-id'), 'utf8')).trim(), id);
  assert.equal(await readOrCreateHostId(dir), id, 'the next start is the same host');
}));

test('hosts starting at once on a fresh state dir agree on one id, and no temp file is left', () => withStateDir(async (dir) => {
  const ids = await Promise.all(Array.from({ length: 8 }, () => readOrCreateHostId(dir)));
  assert.equal(new Set(ids).size, 1, JSON.stringify(ids));
  assert.deepEqual(await readdir(dir), ['host-id']);
}));

test('a host-id file holding something else is still refused, naming the file', () => withStateDir(async (dir) => {
  await writeFile(join(dir, 'host-id'), 'not a host id\n');
  await assert.rejects(readOrCreateHostId(dir), (err: unknown) => (err as { code?: string }).code === 'PLEXUS_INVALID_CONFIG' && String((err as Error).message).includes('host-id'));
}));
