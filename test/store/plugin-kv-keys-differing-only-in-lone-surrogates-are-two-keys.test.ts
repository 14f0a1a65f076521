// A plugin's kv key is any JavaScript string, and one taken from event data
// can hold a lone surrogate (JSON.parse turns "\ud800" into one). Both stores
// used to write the key as UTF-8, with U+FFFD in its place, so "n\ud800",
// "n\udbff" and "n\ufffd" were one entry: a set of one overwrote the others,
// an incr of one counted into the others. They are three keys now, on both
// stores, as they are to the plugin; a well-formed key is stored exactly as
// before, so entries written before stay readable.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { T, withDatabaseFile } from './conformance-helpers.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const NS = '@acme/counter';
// Lone high, lone high, the replacement character itself, a reversed pair (two lone ones), and a real pair (U+10000).
const KEYS = ['n\ud800', 'n\udbff', 'n\ufffd', 'n\udc00\ud800', 'n\ud800\udc00'];

async function keysAreApart(store: Store): Promise<void> {
  for (const [i, key] of KEYS.entries()) await store.kvSet(NS, key, JSON.stringify(i), null, T);
  for (const [i, key] of KEYS.entries()) assert.equal(await store.kvGet(NS, key, T), JSON.stringify(i), `get ${JSON.stringify(key)}`);

  for (const [i, key] of KEYS.entries()) assert.equal(await store.kvIncr(NS, key, 10, T), i + 10, `incr ${JSON.stringify(key)}`);
  assert.equal(await store.kvIncr(NS, 'm\udfff', 1, T), 1, 'an incr of a key never set starts from 0');
  assert.equal(await store.kvIncr(NS, 'm\udfff', 1, T), 2, 'and counts on its own entry');

  assert.equal(await store.kvDelete(NS, 'n\ud800', T), true);
  assert.equal(await store.kvGet(NS, 'n\ud800', T), null);
  assert.equal(await store.kvDelete(NS, 'n\ud800', T), false);
  for (const [i, key] of KEYS.entries()) if (i > 0) assert.equal(await store.kvGet(NS, key, T), JSON.stringify(i + 10), `${JSON.stringify(key)} outlives the delete of another`);
}

test('SQLite: kv keys that differ only in lone surrogates are two entries; well-formed keys are stored as text, as before', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await keysAreApart(store);
  } finally {
    await store.close();
  }
  const file = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = file.prepare('SELECT key, typeof(key) AS kind FROM kv WHERE ns = ? ORDER BY typeof(key), key').all(NS);
    assert.deepEqual(rows.filter((row) => row.kind === 'text').map((row) => row.key), ['n\ufffd', 'n\ud800\udc00']);
    const blobs = rows.filter((row) => row.kind === 'blob').map((row) => Buffer.from(row.key as Uint8Array).toString('utf16le'));
    assert.deepEqual(blobs.sort(), ['m\udfff', 'n\udbff', 'n\udc00\ud800'], 'the others (n\\ud800 was deleted) are their UTF-16 code units: no text equals them');
  } finally {
    file.close();
  }
  const reopened = SqliteStore.open(path);
  try {
    assert.equal(await reopened.kvGet(NS, 'n\udbff', T), '11', 'after a restart');
    assert.equal(await reopened.kvGet(NS, 'n\ufffd', T), '12');
  } finally {
    await reopened.close();
  }
}));

const skip = await redisSkipReason();

test('Redis: kv keys that differ only in lone surrogates are two entries; well-formed keys keep their Redis key; destroyAll removes them all', { skip: skip ?? false }, async () => {
  const prefix = `plexus-test:${randomUUID()}:`;
  const store = await RedisStore.connect({ url: REDIS_URL, prefix });
  const check = new Redis(REDIS_URL);
  try {
    await keysAreApart(store);
    // The key an entry written before this change has: prefix, kv, the namespace length-prefixed, the key as UTF-8.
    assert.equal(await check.hget(`${prefix}kv:${NS.length}:${NS}:n\ufffd`, 'v'), '12');
    assert.equal(await check.hget(`${prefix}kv:${NS.length}:${NS}:n\ud800\udc00`, 'v'), '14');
    await store.destroyAll();
    assert.deepEqual(await check.keysBuffer(`${prefix}*`), [], 'destroyAll leaves no key behind');
  } finally {
    await store.destroyAll();
    await store.close();
    check.disconnect();
  }
});
