// The dead-letter queue (CONTRACT §6, REQ-T255): filters, order, pagination,
// count, get, purge and replay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeadReason, Store } from '../../src/store/store.ts';
import { ERROR, T, event, ids, input, rejectsWithCode, using, type StoreFactory } from './conformance-helpers.ts';

const ENTRIES: { id: string; plugin: string; type: string; source: string; reason: DeadReason; deadAt: number }[] = [
  { id: 'x1', plugin: 'a', type: 'orders.eu.created', source: 's1', reason: 'permanent', deadAt: T + 10 },
  { id: 'x2', plugin: 'a', type: 'orders.us.created', source: 's2', reason: 'exhausted', deadAt: T + 20 },
  { id: 'x3', plugin: 'b', type: 'payments.done', source: 's1', reason: 'expired', deadAt: T + 30 },
  { id: 'x4', plugin: 'b', type: 'orders.eu.created', source: 's2', reason: 'exhausted', deadAt: T + 40 },
  { id: 'x5', plugin: 'a', type: 'orders.eu.created', source: 's1', reason: 'invalid', deadAt: T + 40 },
];

/** One event per entry, each delivered to one plugin and dead-lettered. */
async function deadLetters(store: Store): Promise<void> {
  await store.accept(ENTRIES.map((e) => input(event(`ev-${e.id}`, e.type, { source: e.source }), T, [[e.id, e.plugin]])), 60_000);
  await store.settle(ENTRIES.map((e) => ({ kind: 'dead', deliveryId: e.id, attempt: 2, reason: e.reason, error: ERROR, at: e.deadAt })), [], 60_000);
}

export function dlqCases(factory: StoreFactory): void {
  test('listDlq filters by every field and lists the most recently dead first', using(factory, async (store) => {
    await deadLetters(store);
    const list = async (filter: Parameters<Store['listDlq']>[0]) => ids(await store.listDlq(filter, { limit: 100 }));
    assert.deepEqual(await list({}), ['x5', 'x4', 'x3', 'x2', 'x1'], 'deadAt descending, ties by id descending');
    assert.deepEqual(await list({ plugin: 'a' }), ['x5', 'x2', 'x1']);
    assert.deepEqual(await list({ type: 'orders.eu.created' }), ['x5', 'x4', 'x1']);
    assert.deepEqual(await list({ type: 'orders.#' }), ['x5', 'x4', 'x2', 'x1']);
    assert.deepEqual(await list({ type: '*.*.created' }), ['x5', 'x4', 'x2', 'x1']);
    assert.deepEqual(await list({ source: 's2' }), ['x4', 'x2']);
    assert.deepEqual(await list({ reason: 'exhausted' }), ['x4', 'x2']);
    assert.deepEqual(await list({ from: T + 20 }), ['x5', 'x4', 'x3', 'x2'], 'from is inclusive');
    assert.deepEqual(await list({ from: T + 20, to: T + 40 }), ['x3', 'x2'], 'to is exclusive');
    assert.deepEqual(await list({ ids: ['x1', 'x3', 'missing'] }), ['x3', 'x1']);
    assert.deepEqual(await list({ ids: [] }), []);
    assert.deepEqual(await list({ plugin: 'a', reason: 'exhausted', type: 'orders.#', source: 's2', from: T, to: T + 100, ids: ['x2', 'x4'] }), ['x2']);
    const [x4] = await store.listDlq({ ids: ['x4'] }, { limit: 1 });
    assert.deepEqual(x4, { id: 'x4', plugin: 'b', event: event('ev-x4', 'orders.eu.created', { source: 's2' }), reason: 'exhausted', attempts: 2, error: ERROR, acceptedAt: T, deadAt: T + 40 });
  }));

  test('listDlq pages with limit and offset; countDlq counts what the filter matches', using(factory, async (store) => {
    await deadLetters(store);
    const page = async (offset: number, limit = 2) => ids(await store.listDlq({}, { limit, offset }));
    assert.deepEqual([await page(0), await page(2), await page(4), await page(5)], [['x5', 'x4'], ['x3', 'x2'], ['x1'], []]);
    assert.deepEqual(ids(await store.listDlq({ plugin: 'a' }, { limit: 1, offset: 1 })), ['x2']);
    assert.deepEqual(await page(0, 0), []);
    await rejectsWithCode(store.listDlq({}, { limit: -1 }), 'PLEXUS_INVALID_REQUEST');
    await rejectsWithCode(store.listDlq({}, { limit: 1, offset: 1.5 }), 'PLEXUS_INVALID_REQUEST');
    assert.equal(await store.countDlq({}), 5);
    assert.equal(await store.countDlq({ plugin: 'a' }), 3);
    assert.equal(await store.countDlq({ type: 'orders.#', source: 's1' }), 2);
    assert.equal(await store.countDlq({ from: T + 20, to: T + 40 }), 2);
    assert.equal(await store.countDlq({ ids: ['x1', 'x2', 'nope'] }), 2);
  }));

  test('getDlq answers one entry, or undefined', using(factory, async (store) => {
    await deadLetters(store);
    assert.equal((await store.getDlq('x3'))?.event.type, 'payments.done');
    assert.equal(await store.getDlq('nope'), undefined);
  }));

  test('purgeDlq removes what the filter matches and answers how many', using(factory, async (store) => {
    await deadLetters(store);
    assert.equal(await store.purgeDlq({ reason: 'exhausted' }), 2);
    assert.deepEqual(ids(await store.listDlq({}, { limit: 10 })), ['x5', 'x3', 'x1']);
    assert.equal(await store.purgeDlq({ reason: 'exhausted' }), 0);
    assert.equal(await store.purgeDlq({ ids: ['x1', 'x2'] }), 1);
    assert.equal(await store.purgeDlq({}), 2);
    assert.equal(await store.countDlq({}), 0);
  }));

  test('replayDlq turns matching entries into fresh deliveries and removes them from the DLQ', using(factory, async (store) => {
    await deadLetters(store);
    const replayed = await store.replayDlq({ plugin: 'b' }, T + 1000);
    assert.deepEqual(replayed.map((r) => [r.id, r.plugin, r.event.id, r.attempt, r.availableAt, r.acceptedAt, 'lastError' in r]), [
      ['x3', 'b', 'ev-x3', 0, T + 1000, T, false],
      ['x4', 'b', 'ev-x4', 0, T + 1000, T, false],
    ]);
    assert.deepEqual(await store.pending(), replayed);
    assert.deepEqual(await store.depth(), { b: 2 });
    assert.deepEqual(ids(await store.listDlq({}, { limit: 10 })), ['x5', 'x2', 'x1']);
    assert.deepEqual(await store.replayDlq({ plugin: 'b' }, T + 2000), [], 'a replayed entry is gone');
  }));

  test('replayDlq restores a journal entry retention has pruned since', using(factory, async (store) => {
    await deadLetters(store);
    assert.equal((await store.prune({ journalMs: 0, dlqMs: 10_000 }, T + 1000)).journal, 5);
    const [x1] = await store.replayDlq({ ids: ['x1'] }, T + 1000);
    assert.deepEqual(x1?.event, event('ev-x1', 'orders.eu.created', { source: 's1' }));
    assert.deepEqual(await store.pending(), [x1], 'recovery after a restart finds the event again');
    assert.equal((await store.prune({ journalMs: 0, dlqMs: 10_000 }, T + 1000)).journal, 0, 'a pending delivery keeps its journal entry');
  }));

  test('replayDlq is atomic: a conflicting delivery id replays nothing', using(factory, async (store) => {
    await deadLetters(store);
    await store.accept([input(event('other'), T, [['x2', 'c']])], 60_000);
    await rejectsWithCode(store.replayDlq({ plugin: 'a' }, T + 1000), 'PLEXUS_CONFLICT');
    assert.equal(await store.countDlq({ plugin: 'a' }), 3);
    assert.deepEqual(ids(await store.pending()), ['x2']);
  }));
}
