// Dead-letter queue reads and bulk operations for the SQLite store. A filter
// becomes one WHERE clause; its shape (which fields are set) picks one of a
// bounded set of statements, so they are cached like the fixed ones.
import type { SQLInputValue } from 'node:sqlite';
import type { DeliveryRecord, DlqEntry, DlqFilter } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { Chunks } from './sqlite-chunks.ts';
import { int, toDlqEntry, type Row } from './sqlite-rows.ts';
import { insertRow, type Writer } from './sqlite-writes.ts';
import { isTopicPattern } from './type-filter.ts';

const ENTRY_COLUMNS = 'id, seq, plugin, source, type, reason, attempts, error, accepted_at, dead_at, envelope';

interface Where {
  sql: string;
  params: SQLInputValue[];
}

export function dlqWhere(filter: DlqFilter): Where {
  const clauses: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (clause: string, param: SQLInputValue): void => {
    clauses.push(clause);
    params.push(param);
  };
  // One JSON parameter whatever the number of ids: one statement shape.
  if (filter.ids !== undefined) add('id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.ids));
  if (filter.plugin !== undefined) add('plugin = ?', filter.plugin);
  if (filter.source !== undefined) add('source = ?', filter.source);
  if (filter.reason !== undefined) add('reason = ?', filter.reason);
  if (filter.type !== undefined) add(isTopicPattern(filter.type) ? 'topic_matches(?, type)' : 'type = ?', filter.type);
  if (filter.from !== undefined) add('dead_at >= ?', filter.from);
  if (filter.to !== undefined) add('dead_at < ?', filter.to);
  return { sql: clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`, params };
}

export function listDlq(statements: Statements, filter: DlqFilter, limit: number, offset: number): DlqEntry[] {
  const where = dlqWhere(filter);
  const sql = `SELECT ${ENTRY_COLUMNS} FROM dlq${where.sql} ORDER BY dead_at DESC, id DESC LIMIT ? OFFSET ?`;
  return statements.sql(sql).all(...where.params, limit, offset).map(toDlqEntry);
}

export function countDlq(statements: Statements, filter: DlqFilter): number {
  const where = dlqWhere(filter);
  const row = statements.sql(`SELECT count(*) AS n FROM dlq${where.sql}`).get(...where.params);
  return row === undefined ? 0 : int(row, 'n');
}

export function getDlq(statements: Statements, id: string): DlqEntry | undefined {
  const row = statements.sql(`SELECT ${ENTRY_COLUMNS} FROM dlq WHERE id = ?`).get(id);
  return row === undefined ? undefined : toDlqEntry(row);
}

export function purgeDlq(statements: Statements, filter: DlqFilter): number {
  const where = dlqWhere(filter);
  return statements.run(`DELETE FROM dlq${where.sql}`, ...where.params);
}

// A replayed entry whose journal entry was pruned gets it back under its old
// seq (the DLQ kept the envelope), so the delivery can be recovered by
// pending() like any other; prune drops the entry again once nothing needs it.
/** Call inside a transaction: entries leave the DLQ iff their deliveries exist. */
export function replayDlq(writer: Writer, filter: DlqFilter, now: number): DeliveryRecord[] {
  const { statements } = writer;
  const where = dlqWhere(filter);
  const rows = statements.sql(`SELECT ${ENTRY_COLUMNS} FROM dlq${where.sql} ORDER BY seq, id`).all(...where.params);
  const chunks = new Chunks(statements);
  const replayed = rows.map((row: Row) => {
    const entry = toDlqEntry(row);
    const seq = int(row, 'seq');
    chunks.restore(seq, entry.acceptedAt, entry.event);
    insertRow(writer, entry.id, seq, entry.plugin, 0, now, entry.acceptedAt, null);
    statements.run('DELETE FROM dlq WHERE id = ?', entry.id);
    return { id: entry.id, seq, plugin: entry.plugin, event: entry.event, attempt: 0, availableAt: now, acceptedAt: entry.acceptedAt };
  });
  chunks.flush();
  return replayed;
}
