// A webhook delivery id taken from the signed JSON body (deliveryId: { from:
// body }, Stripe's $.id) can hold a lone surrogate: "\ud800" parses to one.
// Both stores wrote the replay key as UTF-8, with U+FFFD in its place, so
// "w\ud800", "w\udbff" and "w\ufffd" were one key: the second of two
// different deliveries was refused as 409 PLEXUS_REPLAYED and never reached
// a plugin (the in-memory ReplayStore, a Map, kept them apart). They are
// three keys now, claimed on accept (the HTTP route) or through seen/forget
// (ReplayGuard), on both stores, and each still refuses its own repeat.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { replayKey } from '../../src/ingress/webhook/replay-guard.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput, Store } from '../../src/store/store.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const WINDOW = 60_000;
const IDS = ['w\ud800', 'w\udbff', 'w\ufffd', 'w\udc00\ud800'];
const claimed = (n: number, deliveryId: string, at: number): AcceptInput => ({
  ...input(event(`e${n}`), at, [[`d-${n}`, 'a']]),
  claim: { key: replayKey('stripe', deliveryId), ttlMs: WINDOW },
});

async function idsAreApart(store: Store): Promise<void> {
  const first = await store.accept(IDS.map((id, n) => claimed(n, id, T)), WINDOW);
  assert.deepEqual([first.replayed, ids(first.created)], [undefined, ['d-0', 'd-1', 'd-2', 'd-3']], 'four deliveries, none a replay of another');
  const repeats = await store.accept(IDS.map((id, n) => claimed(10 + n, id, T + 1)), WINDOW);
  assert.deepEqual([repeats.replayed, ids(repeats.created)], [[0, 1, 2, 3], []], 'each id still refuses its own repeat');

  // ReplayGuard's path: seen records, forget releases one id and no other.
  assert.equal(await store.seen(replayKey('stripe', 'v\ud800'), WINDOW, T), false);
  assert.equal(await store.seen(replayKey('stripe', 'v\udbff'), WINDOW, T), false, 'a look-alike is not seen');
  assert.equal(await store.seen(replayKey('stripe', 'v\ud800'), WINDOW, T + 1), true);
  await store.forget(replayKey('stripe', 'v\udbff'));
  assert.equal(await store.seen(replayKey('stripe', 'v\ud800'), WINDOW, T + 2), true, 'forgetting a look-alike keeps this one');
  assert.equal(await store.seen(replayKey('stripe', 'v\udbff'), WINDOW, T + 3), false, 'the forgotten one is new again');
}

test('SQLite: delivery ids that differ only in lone surrogates are two deliveries, also after a restart', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await idsAreApart(store);
  } finally {
    await store.close();
  }
  // The in-memory set of hashes is loaded from the file now: it must find these keys as they were written.
  const reopened = SqliteStore.open(path);
  try {
    const again = await reopened.accept([claimed(20, 'w\udbff', T + 2), claimed(21, 'w\udfff', T + 2)], WINDOW);
    assert.deepEqual([again.replayed, ids(again.created)], [[0], ['d-21']]);
    assert.equal(await reopened.seen(replayKey('stripe', 'v\ud800'), WINDOW, T + 3), true);
  } finally {
    await reopened.close();
  }
}));

const skip = await redisSkipReason();

test('Redis: delivery ids that differ only in lone surrogates are two deliveries', { skip: skip ?? false }, async () => {
  const store = await RedisStore.connect({ url: REDIS_URL, prefix: `plexus-test:${randomUUID()}:` });
  try {
    await idsAreApart(store);
  } finally {
    await store.destroyAll();
    await store.close();
  }
});
