// A webhook delivery id may come from a signed JSON body, where "\ud800"
// parses to a lone surrogate. SQLite writes such text as U+FFFD. The
// in-memory set of the SQLite store hashed the string as given while the
// file held U+FFFD: two such ids in one accept broke it with a raw UNIQUE
// constraint error (failing every event and settlement merged into that
// write), and after a restart, when the set is loaded from the file, a
// repeat of such an id got in again. The file now holds such a key as its
// UTF-16 code units (a blob), so "w\ud800" and "w\ud801" are two keys there
// as in the set, and on Redis (webhook-delivery-ids-differing-only-in-lone-surrogates-are-two-deliveries.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';

const WINDOW = 60_000;
const claimed = (id: string, key: string, at: number): AcceptInput => ({ ...input(event(id), at, [[`d-${id}`, 'a']]), claim: { key, ttlMs: WINDOW } });

test('two look-alike ids in one accept are two keys in the set and in the file, not a failed write', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    const result = await store.accept([claimed('e1', 'webhook:s:w\ud800', T), claimed('e2', 'webhook:s:w\ud801', T), claimed('e3', 'webhook:s:other', T), claimed('e4', 'webhook:s:w\ud800', T)], WINDOW);
    assert.deepEqual([result.replayed, ids(result.created)], [[3], ['d-e1', 'd-e2', 'd-e3']], 'only the same id again is a replay');
    assert.equal(await store.seen('webhook:s:w\ufffd', WINDOW, T + 1), false, 'U+FFFD is a key of its own');
  } finally {
    await store.close();
  }
}));

test('a repeat of an id with a lone surrogate is refused before and after a restart', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    assert.deepEqual((await store.accept([claimed('e1', 'webhook:s:w\ud800', T)], WINDOW)).replayed, undefined);
    assert.deepEqual((await store.accept([claimed('e2', 'webhook:s:w\ud800', T + 1)], WINDOW)).replayed, [0]);
  } finally {
    await store.close();
  }
  const reopened = SqliteStore.open(path);
  try {
    assert.deepEqual((await reopened.accept([claimed('e3', 'webhook:s:w\ud800', T + 2)], WINDOW)).replayed, [0]);
    assert.equal(await reopened.seen('webhook:s:w\ud800', WINDOW, T + 3), true);
    await reopened.forget('webhook:s:w\ud800');
    assert.equal(await reopened.seen('webhook:s:w\ud800', WINDOW, T + 4), false, 'forget drops the key the file holds');
  } finally {
    await reopened.close();
  }
}));
