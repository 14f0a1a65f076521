// The journal (replay from a point in time, REQ-T256) and retention
// (REQ-T255 DLQ, REQ-T260 journal, dedup window).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalQuery, Store } from '../../src/store/store.ts';
import { T, event, input, using, type StoreFactory } from './conformance-helpers.ts';

const TYPES = ['orders.eu.created', 'orders.us.created', 'orders', 'payments.done', 'ordersx.eu.created', 'orders.eu.shipped', 'audit.orders'];

/** One event per type, accepted 10 ms apart. */
async function journalOf(store: Store): Promise<void> {
  await store.accept(TYPES.map((type, i) => input(event(`j${i}`, type), T + i * 10, [])), 60_000);
}

async function idsOf(store: Store, query: Omit<JournalQuery, 'limit'> & { limit?: number }): Promise<string[]> {
  return (await store.readJournal({ limit: 100, ...query })).map((j) => j.event.id);
}

export function journalCases(factory: StoreFactory): void {
  test('readJournal answers the events accepted in [from, to)', using(factory, async (store) => {
    await journalOf(store);
    assert.deepEqual(await idsOf(store, { from: T + 10, to: T + 30 }), ['j1', 'j2']);
    assert.deepEqual(await idsOf(store, { from: T + 55 }), ['j6'], 'to defaults to now');
    assert.deepEqual(await idsOf(store, { from: T + 61 }), []);
    const [entry] = await store.readJournal({ from: T + 20, to: T + 21, limit: 1 });
    assert.deepEqual(entry, { seq: entry?.seq, acceptedAt: T + 20, event: event('j2', 'orders') });
  }));

  test('readJournal stays exact when acceptedAt does not grow with seq (clock steps, several hosts)', using(factory, async (store) => {
    await store.accept([input(event('late'), T + 50, [])], 60_000);
    await store.accept([input(event('early'), T + 10, []), input(event('mid'), T + 30, [])], 60_000);
    assert.deepEqual(await idsOf(store, { from: T, to: T + 40 }), ['early', 'mid']);
    assert.deepEqual(await idsOf(store, { from: T + 20, to: T + 60 }), ['late', 'mid'], 'seq order, not time order');
    const [first] = await store.readJournal({ from: T + 20, to: T + 60, limit: 1 });
    assert.deepEqual(await idsOf(store, { from: T + 20, to: T + 60, afterSeq: first?.seq ?? 0 }), ['mid']);
  }));

  test('readJournal filters by exact type or by topic pattern', using(factory, async (store) => {
    await journalOf(store);
    assert.deepEqual(await idsOf(store, { from: 0, type: 'orders' }), ['j2']);
    assert.deepEqual(await idsOf(store, { from: 0, type: 'orders.eu.created' }), ['j0']);
    assert.deepEqual(await idsOf(store, { from: 0, type: 'orders.#' }), ['j0', 'j1', 'j2', 'j5'], '# matches zero or more words');
    assert.deepEqual(await idsOf(store, { from: 0, type: 'orders.*.created' }), ['j0', 'j1']);
    assert.deepEqual(await idsOf(store, { from: 0, type: '#.orders' }), ['j2', 'j6']);
    assert.deepEqual(await idsOf(store, { from: T + 10, to: T + 50, type: 'orders.#' }), ['j1', 'j2']);
  }));

  test('readJournal pages in seq order with afterSeq and limit', using(factory, async (store) => {
    await journalOf(store);
    const all = await store.readJournal({ from: 0, limit: 100 });
    const pages: string[][] = [];
    let afterSeq: number | undefined;
    for (;;) {
      const page = await store.readJournal({ from: 0, type: 'orders.#', limit: 3, ...(afterSeq === undefined ? {} : { afterSeq }) });
      if (page.length === 0) break;
      pages.push(page.map((j) => j.event.id));
      afterSeq = page[page.length - 1]?.seq;
    }
    assert.deepEqual(pages, [['j0', 'j1', 'j2'], ['j5']]);
    assert.deepEqual(await idsOf(store, { from: 0, afterSeq: all[4]?.seq ?? 0 }), ['j5', 'j6']);
    assert.deepEqual(await idsOf(store, { from: 0, limit: 0 }), []);
    assert.ok(all.every((j, i) => i === 0 || j.seq > (all[i - 1]?.seq ?? Infinity)));
  }));

  test('prune deletes journal entries, DLQ entries and dedup keys past retention, and answers counts', using(factory, async (store) => {
    const keyed = (id: string, key: string) => event(id, 'orders.eu.created', { idempotencykey: key });
    await store.accept([
      input(keyed('old-done', 'k1'), T, [['d1', 'a']]),
      input(event('old-pending'), T, [['d2', 'a']]),
      input(event('old-dead'), T, [['d4', 'b']]),
      input(keyed('new-dead', 'k3'), T + 5000, [['d3', 'b']]),
    ], 1000);
    await store.settle([
      { kind: 'done', deliveryId: 'd1' },
      { kind: 'dead', deliveryId: 'd4', attempt: 1, reason: 'permanent', at: T + 100 },
      { kind: 'dead', deliveryId: 'd3', attempt: 1, reason: 'permanent', at: T + 5000 },
    ], [], 1000);

    const pruned = await store.prune({ journalMs: 3000, dlqMs: 3000 }, T + 4000);
    assert.deepEqual(pruned, { journal: 2, dlq: 1, dedup: 1 });
    assert.deepEqual(await idsOf(store, { from: 0, to: T + 10_000 }), ['old-pending', 'new-dead'], 'an event a pending delivery needs is kept');
    assert.deepEqual((await store.pending()).map((p) => p.event.id), ['old-pending']);
    assert.deepEqual((await store.listDlq({}, { limit: 10 })).map((e) => e.id), ['d3']);
    assert.deepEqual(await store.prune({ journalMs: 3000, dlqMs: 3000 }, T + 4000), { journal: 0, dlq: 0, dedup: 0 });

    const again = await store.accept([input(keyed('k1-again', 'k1'), T + 4000, [['d5', 'a']]), input(keyed('k3-again', 'k3'), T + 4000, [['d6', 'b']])], 1000);
    assert.deepEqual([again.created.map((d) => d.id), again.duplicates], [['d5'], 1], 'only the expired key was pruned');
  }));

  test('retention boundaries: strictly older than the window goes, the edge stays', using(factory, async (store) => {
    await store.accept([input(event('edge'), T, [['d1', 'a']]), input(event('older'), T - 1, [])], 60_000);
    await store.settle([{ kind: 'dead', deliveryId: 'd1', attempt: 1, reason: 'invalid', at: T }], [], 60_000);
    assert.deepEqual(await store.prune({ journalMs: 1000, dlqMs: 1000 }, T + 1000), { journal: 1, dlq: 0, dedup: 0 });
    assert.deepEqual(await idsOf(store, { from: 0, to: T + 1 }), ['edge']);
    await assert.rejects(store.prune({ journalMs: -1, dlqMs: 0 }, T), { code: 'PLEXUS_INVALID_REQUEST' });
  }));
}
