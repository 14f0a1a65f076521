// A webhook delivery id may come from a signed JSON body, where "\ud800"
// parses to a lone surrogate. SQLite writes it as U+FFFD, so the file holds
// "w\ud800" and "w\ud801" as one key, as Redis does (its keys are UTF-8 too).
// The in-memory set of the SQLite store hashed the string as given: two such
// ids in one accept broke it with a raw UNIQUE constraint error (failing
// every event and settlement merged into that write), and after a restart,
// when the set is loaded from the file, a repeat of such an id got in again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';

const WINDOW = 60_000;
const claimed = (id: string, key: string, at: number): AcceptInput => ({ ...input(event(id), at, [[`d-${id}`, 'a']]), claim: { key, ttlMs: WINDOW } });

test('two look-alike ids in one accept: the second is a replay of the key the file holds, not a failed write', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    const result = await store.accept([claimed('e1', 'webhook:s:w\ud800', T), claimed('e2', 'webhook:s:w\ud801', T), claimed('e3', 'webhook:s:other', T)], WINDOW);
    assert.deepEqual([result.replayed, ids(result.created)], [[1], ['d-e1', 'd-e3']]);
    assert.equal(await store.seen('webhook:s:w\ufffd', WINDOW, T + 1), true, 'the file holds U+FFFD');
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
