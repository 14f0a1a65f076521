// Opening a SQLite store: the directory and schema are created, the file is
// in WAL mode, the schema version is recorded, a reopen keeps the data, and a
// file from a newer schema is refused rather than misread.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { T, event, input, rejectsWithCode } from './conformance-helpers.ts';

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-schema-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('open creates the directory and a WAL database with its schema version; reopening keeps the data', () => withDir(async (dir) => {
  const path = join(dir, 'nested', 'state', 'plexus.db');
  const store = SqliteStore.open(path);
  await store.accept([input(event('e1'), T, [['d1', 'a']])], 60_000);
  await store.kvSet('p', 'k', '1', null, T);
  await store.close();
  await store.close();

  const raw = new DatabaseSync(path);
  try {
    assert.equal(raw.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()?.value, SCHEMA_VERSION);
  } finally {
    raw.close();
  }

  const reopened = SqliteStore.open(path);
  try {
    assert.deepEqual((await reopened.pending()).map((d) => d.id), ['d1']);
    assert.equal(await reopened.kvGet('p', 'k', T), '1');
    const { created } = await reopened.accept([input(event('e2'), T, [['d2', 'a']])], 60_000);
    assert.ok((created[0]?.seq ?? 0) > 1, 'seq continues after a reopen');
  } finally {
    await reopened.close();
  }
}));

test('a database written by a newer schema is refused', () => withDir(async (dir) => {
  const path = join(dir, 'plexus.db');
  await SqliteStore.open(path).close();
  const raw = new DatabaseSync(path);
  raw.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(SCHEMA_VERSION + 1);
  raw.close();
  await rejectsWithCode((async () => SqliteStore.open(path))(), 'PLEXUS_UNAVAILABLE');
}));

test('the in-memory store works for tests', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    assert.equal((await store.accept([input(event('e1'), T, [['d1', 'a']])], 60_000)).created.length, 1);
  } finally {
    await store.close();
  }
});
