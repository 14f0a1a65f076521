// Replay claims on accept (AcceptInput.claim): the claim and the event are
// one atomic step. A claimed key refuses its input (reported in `replayed`,
// never journaled, never a duplicate); a failed batch claims nothing; the
// key space is the one seen() uses, so both agree on what was received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, ids, input, rejectsWithCode, using, type StoreFactory } from './conformance-helpers.ts';

const WINDOW = 60_000;
const claimed = (id: string, key: string, at: number, deliveries: [string, string][]): AcceptInput => ({ ...input(event(id), at, deliveries), claim: { key, ttlMs: WINDOW } });

export function claimCases(factory: StoreFactory): void {
  test('the first claim of a key is accepted; a later one is refused, not journaled and not a duplicate', using(factory, async (store) => {
    const first = await store.accept([claimed('e1', 'hook:1', T, [['d1', 'a']])], WINDOW);
    assert.deepEqual([ids(first.created), first.replayed], [['d1'], undefined]);
    const again = await store.accept([claimed('e2', 'hook:1', T + 10, [['d2', 'a']]), claimed('e3', 'hook:2', T + 10, [['d3', 'a']])], WINDOW);
    assert.deepEqual(again.replayed, [0]);
    assert.deepEqual([ids(again.created), again.duplicates], [['d3'], 0]);
    const journal = await store.readJournal({ from: 0, to: T + 100, limit: 10 });
    assert.deepEqual(journal.map((j) => j.event.id), ['e1', 'e3']);
    assert.equal(await store.seen('hook:1', WINDOW, T + 20), true, 'seen() sees a key accept claimed');
  }));

  test('two inputs claiming one key in one batch: the first wins', using(factory, async (store) => {
    const result = await store.accept([claimed('e1', 'hook:x', T, []), claimed('e2', 'hook:x', T, [['d2', 'a']]), input(event('e3'), T, [['d3', 'a']])], WINDOW);
    assert.deepEqual(result.replayed, [1]);
    assert.deepEqual(ids(result.created), ['d3']);
  }));

  test('an expired claim is taken afresh; a key seen() recorded refuses an accept', using(factory, async (store) => {
    await store.accept([claimed('e1', 'hook:t', T, [])], WINDOW);
    const later = await store.accept([claimed('e2', 'hook:t', T + WINDOW, [['d2', 'a']])], WINDOW);
    assert.deepEqual([later.replayed, ids(later.created)], [undefined, ['d2']]);
    assert.equal(await store.seen('hook:s', WINDOW, T), false);
    assert.deepEqual((await store.accept([claimed('e3', 'hook:s', T + 1, [])], WINDOW)).replayed, [0]);
  }));

  test('a batch that fails claims nothing', using(factory, async (store) => {
    await store.accept([input(event('e0'), T, [['taken', 'a']])], WINDOW);
    await rejectsWithCode(store.accept([claimed('e1', 'hook:f', T, [['taken', 'a']])], WINDOW), 'PLEXUS_CONFLICT');
    const retry = await store.accept([claimed('e1', 'hook:f', T + 1, [['d1', 'a']])], WINDOW);
    assert.deepEqual([retry.replayed, ids(retry.created)], [undefined, ['d1']]);
  }));

  test('claims ride on settle too (the engine merges accepts into settlement batches)', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a']])], WINDOW);
    const merged = await store.settle([{ kind: 'done', deliveryId: 'd1' }], [claimed('e2', 'hook:m', T, [['d2', 'a']]), claimed('e3', 'hook:m', T, [['d3', 'a']])], WINDOW);
    assert.deepEqual([merged.replayed, ids(merged.created)], [[1], ['d2']]);
    assert.deepEqual(ids(await store.pending()), ['d2']);
  }));

  test('a claim needs a key and a positive window', using(factory, async (store) => {
    await rejectsWithCode(store.accept([{ ...input(event('e1'), T, []), claim: { key: '', ttlMs: WINDOW } }], WINDOW), 'PLEXUS_INVALID_REQUEST');
    await rejectsWithCode(store.accept([{ ...input(event('e1'), T, []), claim: { key: 'k', ttlMs: 0 } }], WINDOW), 'PLEXUS_INVALID_REQUEST');
  }));
}
