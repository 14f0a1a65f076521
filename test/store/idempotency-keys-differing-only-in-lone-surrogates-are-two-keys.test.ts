// An idempotency key is any string an event carries, and JSON.parse turns
// "\ud800" into a lone surrogate. SQLite writes text as UTF-8, with U+FFFD
// for a lone surrogate, so "k\ud800" and "k\ud801" were one dedup key there:
// the second event's delivery was dropped as a duplicate, where the Redis
// store (which keys dedup by the JSON of the key) delivered both.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput, Store } from '../../src/store/store.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const WINDOW = 60_000;
const keyed = (id: string, key: string, at: number): AcceptInput => input(event(id, 'orders.eu.created', { idempotencykey: key }), at, [[`d-${id}`, 'a']]);

async function differentKeysBothDeliver(store: Store): Promise<void> {
  const first = await store.accept([keyed('e1', 'order-\ud800', T), keyed('e2', 'order-\ud801', T), keyed('e3', 'order-\ufffd', T)], WINDOW);
  assert.deepEqual([ids(first.created), first.duplicates], [['d-e1', 'd-e2', 'd-e3'], 0]);
  const repeats = await store.accept([keyed('e4', 'order-\ud800', T + 1), keyed('e5', 'order-\ud801', T + 1), keyed('e6', 'order-\ufffd', T + 1)], WINDOW);
  assert.deepEqual([ids(repeats.created), repeats.duplicates], [[], 3], 'each key still refuses its own repeat');
}

test('SQLite: idempotency keys that differ only in lone surrogates are two keys, also after a restart', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await differentKeysBothDeliver(store);
  } finally {
    await store.close();
  }
  const reopened = SqliteStore.open(path);
  try {
    const again = await reopened.accept([keyed('e7', 'order-\ud800', T + 2), keyed('e8', 'order-\ud802', T + 2)], WINDOW);
    assert.deepEqual([ids(again.created), again.duplicates], [['d-e8'], 1]);
  } finally {
    await reopened.close();
  }
}));

const skip = await redisSkipReason();

test('Redis: idempotency keys that differ only in lone surrogates are two keys', { skip: skip ?? false }, async () => {
  const store = await RedisStore.connect({ url: REDIS_URL, prefix: `plexus-test:${randomUUID()}:` });
  try {
    await differentKeysBothDeliver(store);
  } finally {
    await store.destroyAll();
    await store.close();
  }
});
