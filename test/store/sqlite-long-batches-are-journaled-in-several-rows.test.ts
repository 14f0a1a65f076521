// An accept whose events' texts together pass MAX_TEXT_CHARS is journaled in
// several rows, each under it (src/store/text-budget.ts: V8's large-object
// threshold). Rows are found by seq, so nothing else may tell: the seqs run
// on, the events read back from any row (dead letter, replay, recovery after
// reopening), and the rows' texts stay within the budget.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { MAX_TEXT_CHARS } from '../../src/store/text-budget.ts';
import { T, event, ids, input, withDatabaseFile } from './conformance-helpers.ts';

/** Each journal row's seq range and text length, through a connection of its own. */
function journalRows(path: string): { first: number; last: number; chars: number }[] {
  const db = new DatabaseSync(path);
  try {
    return db.prepare('SELECT first_seq, last_seq, length(entries) AS chars FROM journal ORDER BY first_seq').all()
      .map((row) => ({ first: Number(row.first_seq), last: Number(row.last_seq), chars: Number(row.chars) }));
  } finally {
    db.close();
  }
}

const big = (i: number) => event(`big-${i}`, 'orders.eu.created', { data: { i, body: 'x'.repeat(Math.floor(MAX_TEXT_CHARS / 4)) } });

test('a long accept is cut into rows under the budget; its seqs and events read back as from one row', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    const events = Array.from({ length: 10 }, (_, i) => big(i));
    const { created } = await store.accept(events.map((e, i) => input(e, T + (i % 2), [[`d${i}`, 'p']])), 60_000);
    const seqs = created.map((d) => d.seq);
    assert.deepEqual(seqs, Array.from({ length: 10 }, (_, i) => (seqs[0] as number) + i), 'one run of seqs');
    assert.deepEqual(created.map((d) => d.event.id), events.map((e) => e.id));

    const rows = journalRows(path);
    assert.ok(rows.length >= 3, `several rows (${rows.length})`);
    assert.ok(rows.every((row) => row.chars <= MAX_TEXT_CHARS), 'each row under the budget');
    assert.deepEqual(rows.map((r) => [r.first, r.last]), rows.map((r, i) => [i === 0 ? seqs[0] : (rows[i - 1] as { last: number }).last + 1, r.last]), 'the rows cover the seqs one after another');
    assert.equal(rows.at(-1)?.last, seqs.at(-1));

    const journal = await store.readJournal({ from: T, to: T + 2, limit: 100 });
    assert.deepEqual(journal.map((e) => [e.seq, e.event.id, e.acceptedAt]), events.map((e, i) => [seqs[i], e.id, T + (i % 2)]));

    await store.settle([{ kind: 'dead', deliveryId: 'd7', attempt: 1, reason: 'permanent', at: T + 5 }], [], 60_000);
    assert.deepEqual((await store.getDlq('d7'))?.event, events[7], 'a dead letter takes its event from a later row');
    const again = await store.redeliver([{ seq: seqs[9] as number, deliveries: [{ id: 'r9', plugin: 'q' }] }], T + 6);
    assert.deepEqual(again.map((d) => d.event), [events[9]]);
  } finally {
    await store.close();
  }
  const reopened = SqliteStore.open(path);
  try {
    const pending = await reopened.pending();
    assert.deepEqual(ids(pending).sort(), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd8', 'd9', 'r9']);
    for (const record of pending) assert.equal(record.event.id, `big-${Number(record.id.slice(1))}`, `${record.id} recovered with its own event`);
  } finally {
    await reopened.close();
  }
}));

test('a short accept is still one row', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    await store.accept(Array.from({ length: 50 }, (_, i) => input(event(`e${i}`), T, [[`d${i}`, 'p']])), 60_000);
    assert.equal(journalRows(path).length, 1);
  } finally {
    await store.close();
  }
}));
