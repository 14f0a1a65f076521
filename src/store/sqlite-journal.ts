// Journal reads (replay from a point in time, REQ-T256), retention and
// redelivery for the SQLite store, over the journal's one-row-per-batch
// layout (sqlite-chunks.ts): rows are found by seq and time bounds, entries
// are filtered one by one after parsing.
import { topicMatches } from '@plexus/plugin-sdk/runtime';
import type { DeliveryRecord, JournalEntry, JournalQuery, RetentionPolicy } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { Chunks, parseEntries, saveChunk } from './sqlite-chunks.ts';
import { batchBits, isPending, parseIndexes } from './sqlite-pending-index.ts';
import { int, text } from './sqlite-rows.ts';
import { insertRow, type Writer } from './sqlite-writes.ts';
import { isTopicPattern } from './type-filter.ts';

// A row holds entries in [from, to) only if its bounds overlap the range.
// The first page starts at the lowest such row (one scan of the max_at
// index), later pages at the row holding the seq after afterSeq, and rows are
// walked in first_seq order from there, so a replay reads the range once.
// INDEXED BY: left alone, SQLite answers min() by walking the whole table in
// first_seq order, which is slowest for the usual replay (the recent past).
const FIRST_ROW = 'SELECT min(first_seq) AS seq FROM journal INDEXED BY journal_max_at WHERE max_at >= ? AND min_at < ?';
const ROWS = `SELECT first_seq, entries FROM journal
  WHERE first_seq >= coalesce((SELECT max(first_seq) FROM journal WHERE first_seq <= ?), 0)
    AND last_seq > ? AND +min_at < ? AND +max_at >= ? ORDER BY first_seq`;

export function readJournal(statements: Statements, query: JournalQuery, limit: number, to: number): JournalEntry[] {
  let afterSeq = query.afterSeq;
  if (afterSeq === undefined) {
    const first = statements.sql(FIRST_ROW).get(query.from, to);
    if (typeof first?.seq !== 'number') return [];
    afterSeq = first.seq - 1;
  }
  const type = query.type;
  const matches = type === undefined ? () => true
    : isTopicPattern(type) ? (t: string) => topicMatches(type, t)
    : (t: string) => t === type;
  const out: JournalEntry[] = [];
  for (const row of statements.sql(ROWS).iterate(afterSeq + 1, afterSeq, to, query.from)) {
    const firstSeq = int(row, 'first_seq');
    const entries = parseEntries(text(row, 'entries'));
    for (let i = Math.max(0, afterSeq + 1 - firstSeq); i < entries.length; i++) {
      const entry = entries[i];
      if (!entry || entry[0] < query.from || entry[0] >= to || !matches(entry[1].type)) continue;
      out.push({ seq: firstSeq + i, acceptedAt: entry[0], event: entry[1] });
      // Leaving the loop early resets the statement.
      if (out.length === limit) return out;
    }
  }
  return out;
}

/** Seqs of the events pending deliveries need: prune keeps them (recovery reads their envelopes). */
function neededSeqs(statements: Statements): Set<number> {
  const needed = new Set<number>();
  for (const row of statements.sql('SELECT first_seq, pending, events FROM batches').iterate()) {
    const firstSeq = int(row, 'first_seq');
    const bits = batchBits(row.pending);
    parseIndexes(text(row, 'events')).forEach((index, bit) => {
      if (isPending(bits, bit)) needed.add(firstSeq + index);
    });
  }
  for (const row of statements.sql('SELECT seq FROM deliveries').iterate()) needed.add(int(row, 'seq'));
  return needed;
}

/**
 * About how many entries one prune transaction parses (~2 µs each, so
 * ~30 ms): the store gives the event loop a turn between transactions.
 */
const PRUNE_GROUP_ENTRIES = 16_384;

/**
 * The first_seq of every row holding entries accepted before `before`, in
 * groups of about PRUNE_GROUP_ENTRIES entries: one prune transaction each.
 * Keys first, rows one at a time after: the rows change under a cursor
 * otherwise, and a long backlog of envelopes never sits in memory at once.
 */
export function oldRowGroups(statements: Statements, before: number): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let entries = 0;
  for (const row of statements.sql('SELECT first_seq, last_seq FROM journal WHERE min_at < ?').iterate(before)) {
    const firstSeq = int(row, 'first_seq');
    group.push(firstSeq);
    entries += int(row, 'last_seq') - firstSeq + 1;
    if (entries >= PRUNE_GROUP_ENTRIES) {
      groups.push(group);
      group = [];
      entries = 0;
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Call inside a transaction. Drops the entries of rows `keys` accepted before
 * `before` that no pending delivery needs, as of this transaction (one may
 * have been created for an old event since the groups were read: a DLQ or
 * journal replay). A row gone meanwhile is skipped. Answers how many went.
 */
export function pruneJournalRows(statements: Statements, keys: readonly number[], before: number): number {
  const needed = neededSeqs(statements);
  const read = statements.sql('SELECT last_seq, entries FROM journal WHERE first_seq = ?');
  let pruned = 0;
  for (const firstSeq of keys) {
    const row = read.get(firstSeq);
    if (row === undefined) continue;
    const chunk = { firstSeq, lastSeq: int(row, 'last_seq'), entries: parseEntries(text(row, 'entries')) };
    let changed = false;
    chunk.entries.forEach((entry, i) => {
      if (entry === null || entry[0] >= before || needed.has(chunk.firstSeq + i)) return;
      chunk.entries[i] = null;
      changed = true;
      pruned++;
    });
    if (changed) saveChunk(statements, chunk);
  }
  return pruned;
}

/** Call inside a transaction. DLQ entries and dedup keys past retention; expired kv rows go too (uncounted: nothing reports them; replay keys: SeenKeys.prune). */
export function pruneTables(statements: Statements, policy: RetentionPolicy, now: number): { dlq: number; dedup: number } {
  const dlq = statements.run('DELETE FROM dlq WHERE dead_at < ?', now - policy.dlqMs);
  const dedup = statements.run('DELETE FROM dedup WHERE expires_at <= ?', now);
  statements.run('DELETE FROM kv WHERE expires_at <= ?', now);
  return { dlq, dedup };
}

/** Call inside a transaction. Fresh deliveries of journaled events: no new journal entry, no dedup; unknown seqs skipped. */
export function redeliver(writer: Writer, entries: readonly { seq: number; deliveries: readonly { id: string; plugin: string }[] }[], now: number): DeliveryRecord[] {
  const created: DeliveryRecord[] = [];
  const chunks = new Chunks(writer.statements);
  for (const { seq, deliveries } of entries) {
    const entry = chunks.entry(seq);
    if (entry === undefined) continue;
    const { acceptedAt, event } = entry;
    for (const { id, plugin } of deliveries) {
      insertRow(writer, id, seq, plugin, 0, now, acceptedAt, null);
      created.push({ id, seq, plugin, event, attempt: 0, availableAt: now, acceptedAt });
    }
  }
  return created;
}
