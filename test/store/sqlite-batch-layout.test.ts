// What the conformance suite cannot see of the SQLite store's batch layout
// (schema v2): one journal row and one batches row per plugin per accept, the
// exceptions as rows of their own, an in-memory index that follows writes
// made by another connection, and entries pruned and restored inside a row.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ERROR, T, event, ids, input, rejectsWithCode, withDatabaseFile } from './conformance-helpers.ts';

/** Row counts straight from the file, through a connection of its own. */
function rows(path: string): { journal: number; batches: number; deliveries: number } {
  const db = new DatabaseSync(path);
  try {
    const count = (table: string) => Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);
    return { journal: count('journal'), batches: count('batches'), deliveries: count('deliveries') };
  } finally {
    db.close();
  }
}

test('an accept is one journal row and one batches row per plugin; only a retry gets a row of its own', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    const events = Array.from({ length: 5 }, (_, i) => input(event(`e${i}`), T, [[`a${i}`, 'a'], [`b${i}`, 'b']]));
    const { created } = await store.accept(events, 60_000);
    assert.deepEqual(created.map((d) => d.seq - (created[0]?.seq ?? 0)), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    assert.deepEqual(rows(path), { journal: 1, batches: 2, deliveries: 0 });

    await store.settle([{ kind: 'done', deliveryId: 'a0' }, { kind: 'retry', deliveryId: 'a1', attempt: 1, availableAt: T + 5, error: ERROR }], [], 60_000);
    assert.deepEqual(rows(path), { journal: 1, batches: 2, deliveries: 1 });
    assert.deepEqual(await store.depth(), { a: 4, b: 5 });

    await store.settle(['b0', 'b1', 'b2', 'b3', 'b4'].map((id) => ({ kind: 'done' as const, deliveryId: id })), [], 60_000);
    assert.deepEqual(rows(path), { journal: 1, batches: 1, deliveries: 1 }, 'a batch with no bit left goes');
    assert.deepEqual(ids(await store.pending()), ['a1', 'a2', 'a3', 'a4']);
  } finally {
    await store.close();
  }
}));

test('writes of another connection are seen: the pending index follows them', () => withDatabaseFile(async (path) => {
  const a = SqliteStore.open(path);
  const b = SqliteStore.open(path);
  try {
    await a.accept([input(event('e1'), T, [['d1', 'p'], ['d2', 'p']])], 60_000);
    await b.settle([{ kind: 'done', deliveryId: 'd1' }], [], 60_000);
    const reused = await a.accept([input(event('e2'), T, [['d1', 'p']])], 60_000);
    assert.deepEqual(ids(reused.created), ['d1'], 'd1 was settled by the other connection, so its id is free again');
    await b.accept([input(event('e3'), T, [['d3', 'q']])], 60_000);
    await rejectsWithCode(a.accept([input(event('e4'), T, [['d3', 'q']])], 60_000), 'PLEXUS_CONFLICT');
    await a.settle([{ kind: 'dead', deliveryId: 'd3', attempt: 1, reason: 'permanent', at: T + 1 }], [], 60_000);
    assert.equal((await b.getDlq('d3'))?.event.id, 'e3');
    assert.deepEqual(ids(await b.pending()), ['d2', 'd1']);
  } finally {
    await a.close();
    await b.close();
  }
}));

test('a refused batch leaves nothing behind in the index: its ids stay free, earlier deliveries stay settleable', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await store.accept([input(event('e1'), T, [['d1', 'p']])], 60_000);
    await rejectsWithCode(store.accept([input(event('e2'), T, [['n1', 'p'], ['n2', 'p']]), input(event('e3'), T, [['d1', 'q']])], 60_000), 'PLEXUS_CONFLICT');
    assert.deepEqual(ids((await store.accept([input(event('e2'), T, [['n1', 'p'], ['n2', 'p']])], 60_000)).created), ['n1', 'n2']);
    await store.settle([{ kind: 'done', deliveryId: 'd1' }], [], 60_000);
    assert.deepEqual(ids(await store.pending()), ['n1', 'n2']);
  } finally {
    await store.close();
  }
}));

test('prune empties entries inside a row and keeps the ones pending deliveries need; pages cross rows by seq', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await store.accept(Array.from({ length: 6 }, (_, i) => input(event(`old${i}`), T, i === 2 ? [['keep', 'p']] : [])), 60_000);
    await store.accept(Array.from({ length: 4 }, (_, i) => input(event(`new${i}`), T + 10_000, [])), 60_000);
    assert.equal((await store.prune({ journalMs: 5000, dlqMs: 5000 }, T + 10_000)).journal, 5);
    const pages: string[][] = [];
    let afterSeq: number | undefined;
    for (;;) {
      const page = await store.readJournal({ from: 0, to: T + 20_000, limit: 2, ...(afterSeq === undefined ? {} : { afterSeq }) });
      if (page.length === 0) break;
      pages.push(page.map((j) => j.event.id));
      afterSeq = page[page.length - 1]?.seq;
    }
    assert.deepEqual(pages, [['old2', 'new0'], ['new1', 'new2'], ['new3']]);
    await store.settle([{ kind: 'done', deliveryId: 'keep' }], [], 60_000);
    assert.equal((await store.prune({ journalMs: 5000, dlqMs: 5000 }, T + 10_000)).journal, 1);
    assert.deepEqual(rows(path).journal, 1, 'a row with no live entry goes');
  } finally {
    await store.close();
  }
}));

test('replayDlq puts a pruned entry back into the row it was pruned from, under its seq', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    const { created } = await store.accept([input(event('e0'), T, [['d0', 'p']]), input(event('e1'), T, [['d1', 'p']]), input(event('e2'), T, [])], 60_000);
    await store.settle([{ kind: 'dead', deliveryId: 'd0', attempt: 1, reason: 'permanent', at: T }], [], 60_000);
    assert.equal((await store.prune({ journalMs: 0, dlqMs: 60_000 }, T + 1)).journal, 2, 'e0 and e2 go; e1 is still needed by d1');
    const [replayed] = await store.replayDlq({ ids: ['d0'] }, T + 2);
    assert.equal(replayed?.seq, created[0]?.seq);
    assert.deepEqual((await store.readJournal({ from: 0, to: T + 1, limit: 10 })).map((j) => [j.seq, j.event.id]), [[created[0]?.seq, 'e0'], [created[1]?.seq, 'e1']]);
    assert.deepEqual(rows(path).journal, 1, 'restored in place, not as a new row');
    assert.deepEqual(ids(await store.pending()), ['d0', 'd1']);
  } finally {
    await store.close();
  }
}));
