// Journal reads (replay from a point in time, REQ-T256) and retention for the
// SQLite store.
import type { SQLInputValue } from 'node:sqlite';
import type { DeliveryRecord, JournalEntry, JournalQuery, RetentionPolicy } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { toJournalEntry } from './sqlite-rows.ts';
import { INSERT_DELIVERY } from './sqlite-writes.ts';
import { deliveryConflict } from './store-args.ts';
import { isTopicPattern } from './type-filter.ts';

// Pages walk the journal in seq order (the primary key, or the (type, seq)
// index for an exact type) and test the time range per row: `+accepted_at`
// keeps SQLite from choosing the accepted_at index, which would sort the whole
// range again for every page. The first page starts at the lowest seq in the
// range (one scan of the accepted_at index), so a replay reads the range once.
export function readJournal(statements: Statements, query: JournalQuery, limit: number, to: number): JournalEntry[] {
  let afterSeq = query.afterSeq;
  if (afterSeq === undefined) {
    const first = statements.sql('SELECT min(seq) AS seq FROM events WHERE accepted_at >= ? AND accepted_at < ?').get(query.from, to);
    if (typeof first?.seq !== 'number') return [];
    afterSeq = first.seq - 1;
  }
  const params: SQLInputValue[] = [afterSeq, query.from, to];
  let typeClause = '';
  if (query.type !== undefined) {
    typeClause = isTopicPattern(query.type) ? ' AND topic_matches(?, type)' : ' AND type = ?';
    params.push(query.type);
  }
  const sql = `SELECT seq, accepted_at, envelope FROM events
    WHERE seq > ? AND +accepted_at >= ? AND +accepted_at < ?${typeClause} ORDER BY seq LIMIT ?`;
  return statements.sql(sql).all(...params, limit).map(toJournalEntry);
}

// A journal entry still referenced by a pending delivery is kept past
// retention: pending() needs its envelope after a restart, and dropping it
// would lose the delivery (at-least-once, CONTRACT §6).
const PRUNE_JOURNAL = `DELETE FROM events WHERE accepted_at < ?
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = events.seq)`;

/** Call inside a transaction. Expired kv and seen rows go too (uncounted: nothing reports them). */
export function prune(statements: Statements, policy: RetentionPolicy, now: number): { journal: number; dlq: number; dedup: number } {
  const journal = statements.run(PRUNE_JOURNAL, now - policy.journalMs);
  const dlq = statements.run('DELETE FROM dlq WHERE dead_at < ?', now - policy.dlqMs);
  const dedup = statements.run('DELETE FROM dedup WHERE expires_at <= ?', now);
  statements.run('DELETE FROM seen WHERE expires_at <= ?', now);
  statements.run('DELETE FROM kv WHERE expires_at <= ?', now);
  return { journal, dlq, dedup };
}

/** Call inside a transaction. Fresh deliveries of journaled events: no new journal entry, no dedup; unknown seqs skipped. */
export function redeliver(statements: Statements, entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): DeliveryRecord[] {
  const created: DeliveryRecord[] = [];
  const find = statements.sql('SELECT seq, accepted_at, envelope FROM events WHERE seq = ?');
  for (const { seq, deliveries } of entries) {
    const row = find.get(seq);
    if (row === undefined) continue;
    const { acceptedAt, event } = toJournalEntry(row);
    for (const { id, plugin } of deliveries) {
      if (statements.run(INSERT_DELIVERY, id, seq, plugin, now, acceptedAt) === 0) throw deliveryConflict(id);
      created.push({ id, seq, plugin, event, attempt: 0, availableAt: now, acceptedAt });
    }
  }
  return created;
}
