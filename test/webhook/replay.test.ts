// Replay protection: the in-memory store (expiry, bound, forget) and the guard.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryReplayStore, ReplayGuard } from '../../src/ingress/webhook/index.ts';
import { assertRejectsPlexus, NOW_MS } from './helpers.ts';

function clock(start = NOW_MS) {
  const state = { now: start };
  return { state, read: () => state.now };
}

describe('InMemoryReplayStore', () => {
  test('records a key on first sight and reports it as seen until its ttl expires', async () => {
    const time = clock();
    const store = new InMemoryReplayStore({ clock: time.read });
    assert.equal(await store.seen('k', 1000), false);
    assert.equal(await store.seen('k', 1000), true);
    time.state.now += 999;
    assert.equal(await store.seen('k', 1000), true);
    time.state.now += 1;
    assert.equal(await store.seen('k', 1000), false, 'expired keys are recorded afresh');
    assert.equal(await store.seen('k', 1000), true);
  });

  test('stays within maxEntries by dropping the oldest ids first, and purges expired ones as it goes', async () => {
    const time = clock();
    const store = new InMemoryReplayStore({ maxEntries: 3, clock: time.read });
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(await store.seen(key, 60_000), false);
    assert.equal(store.size, 3);
    assert.equal(await store.seen('d', 60_000), true);
    assert.equal(await store.seen('a', 60_000), false, 'the oldest id was evicted');
    time.state.now += 60_000;
    await store.seen('e', 60_000);
    assert.equal(store.size, 1, 'expired ids were dropped');
  });

  test('forget lets a key be recorded again', async () => {
    const store = new InMemoryReplayStore();
    await store.seen('k', 1000);
    await store.forget('k');
    assert.equal(await store.seen('k', 1000), false);
  });

  test('records each key once under concurrent checks', async () => {
    const store = new InMemoryReplayStore();
    const results = await Promise.all(Array.from({ length: 5 }, () => store.seen('same', 1000)));
    assert.deepEqual(results.filter((seen) => !seen).length, 1);
  });
});

describe('ReplayGuard', () => {
  test('refuses a replayed delivery id with PLEXUS_REPLAYED (409), per source', async () => {
    const guard = new ReplayGuard(new InMemoryReplayStore({ clock: () => NOW_MS }));
    await guard.claim('github', 'd-1', 60_000);
    await assertRejectsPlexus(guard.claim('github', 'd-1', 60_000), 'PLEXUS_REPLAYED', /delivery "d-1" of source github was already received/);
    await guard.claim('stripe', 'd-1', 60_000);
  });

  test('release undoes a claim so the sender can retry after a failed durable accept', async () => {
    const guard = new ReplayGuard(new InMemoryReplayStore());
    await guard.claim('github', 'd-2', 60_000);
    await guard.release('github', 'd-2');
    await guard.claim('github', 'd-2', 60_000);
  });
});
