// The SQLite store finds replay keys through an in-memory set of hashes
// (sqlite-seen.ts), but the file stays the truth: a key claimed before a
// restart, or by another connection to the same file, still refuses its
// repeat; a version 2 file's seen keys carry over; prune frees expired keys.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/store/sqlite-schema.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';

const WINDOW = 60_000;
const RETENTION = { journalMs: 3_600_000, dlqMs: 3_600_000 };
const claimed = (id: string, key: string, at: number): AcceptInput => ({ ...input(event(id), at, [[`d-${id}`, 'a']]), claim: { key, ttlMs: WINDOW } });

test('a key claimed before a restart refuses its repeat after it, until it expires', () => withDatabaseFile(async (path) => {
  const before = SqliteStore.open(path);
  await before.accept([claimed('e1', 'webhook:gh:1', T), claimed('e2', 'webhook:gh:2', T)], WINDOW);
  assert.equal(await before.seen('webhook:other', WINDOW, T), false);
  await before.close();

  const after = SqliteStore.open(path);
  try {
    const again = await after.accept([claimed('e3', 'webhook:gh:1', T + 5), claimed('e4', 'webhook:gh:3', T + 5)], WINDOW);
    assert.deepEqual([again.replayed, ids(again.created)], [[0], ['d-e4']]);
    assert.equal(await after.seen('webhook:other', WINDOW, T + 5), true);
    assert.equal(await after.seen('webhook:gh:2', WINDOW, T + WINDOW), false, 'expired at its window: claimable afresh');
  } finally {
    await after.close();
  }
}));

test('keys recorded by another connection to the same file are seen, both ways', () => withDatabaseFile(async (path) => {
  const one = SqliteStore.open(path);
  const two = SqliteStore.open(path);
  try {
    // Each store's set is loaded before the other writes, so only the file can tell them.
    assert.equal(await one.seen('warm', WINDOW, T), false);
    assert.equal(await two.seen('warm', WINDOW, T), true);
    await one.accept([claimed('e1', 'webhook:gh:a', T)], WINDOW);
    assert.deepEqual((await two.accept([claimed('e2', 'webhook:gh:a', T + 1)], WINDOW)).replayed, [0]);
    assert.equal(await two.seen('webhook:gh:b', WINDOW, T + 1), false);
    assert.deepEqual((await one.accept([claimed('e3', 'webhook:gh:b', T + 2)], WINDOW)).replayed, [0]);
    await two.forget('webhook:gh:b');
    assert.deepEqual((await one.accept([claimed('e4', 'webhook:gh:b', T + 3)], WINDOW)).replayed, undefined, 'the other connection forgot it');
  } finally {
    await one.close();
    await two.close();
  }
}));

test('prune deletes expired keys: one pruned is claimable again even by an earlier clock; live ones stay', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await store.accept([claimed('e1', 'webhook:gh:old', T), claimed('e2', 'webhook:gh:new', T + WINDOW / 2)], WINDOW);
    await store.prune(RETENTION, T + WINDOW);
    const raw = new DatabaseSync(path);
    try {
      assert.deepEqual(raw.prepare('SELECT key FROM seen_log').all().map((row) => row.key), ['webhook:gh:new']);
    } finally {
      raw.close();
    }
    // Before its expiry by the caller's clock, but pruned: the file no longer holds it, so neither does the store.
    assert.equal(await store.seen('webhook:gh:old', WINDOW, T + 1), false);
    assert.equal(await store.seen('webhook:gh:new', WINDOW, T + WINDOW), true);
  } finally {
    await store.close();
  }
}));

test('a version 2 file keeps its seen keys: a live one still refuses its repeat, an expired one does not', () => withDatabaseFile(async (path) => {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    db.exec(MIGRATIONS[0] as string);
    db.exec(MIGRATIONS[1] as string);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', 2)").run();
    const insert = db.prepare('INSERT INTO seen (key, expires_at) VALUES (?, ?)');
    insert.run('webhook:gh:live', T + WINDOW);
    insert.run('webhook:gh:expired', T - 1);
  } finally {
    db.close();
  }
  const store = SqliteStore.open(path);
  try {
    assert.deepEqual((await store.accept([claimed('e1', 'webhook:gh:live', T), claimed('e2', 'webhook:gh:expired', T)], WINDOW)).replayed, [0]);
  } finally {
    await store.close();
  }
}));
