// The embedded default store (CONTRACT §6): one SQLite file in WAL mode,
// through node:sqlite. Every method runs synchronously inside the promise it
// returns, and every write batch is one transaction, so a resolved promise
// means the batch is committed (see sqlite-schema.ts for what survives a crash).
import type { DatabaseSync } from 'node:sqlite';
import type {
  AcceptInput, AcceptResult, DeliveryRecord, DlqEntry, DlqFilter, JournalEntry, JournalQuery, RetentionPolicy, Settlement, Store,
} from './store.ts';
import { openDatabase } from './sqlite-schema.ts';
import { Statements } from './sqlite-statements.ts';
import { int, text, toDelivery } from './sqlite-rows.ts';
import { acceptInputs, applySettlements } from './sqlite-writes.ts';
import * as dlq from './sqlite-dlq.ts';
import * as journal from './sqlite-journal.ts';
import * as kv from './sqlite-kv.ts';
import { checkDedupWindow, checkLimit, checkOffset, checkRetention, checkTtl } from './store-args.ts';

const PENDING = `SELECT d.id, d.seq, d.plugin, d.attempt, d.available_at, d.accepted_at, d.last_error, e.envelope
  FROM deliveries d JOIN events e ON e.seq = d.seq ORDER BY d.seq, d.id`;

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #statements: Statements;

  /** Opens (creating the directory, file and schema as needed) the store at `path`; `:memory:` for tests. */
  static open(path: string): SqliteStore {
    return new SqliteStore(openDatabase(path));
  }

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#statements = new Statements(db);
  }

  async accept(inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    if (inputs.length === 0) return { created: [], duplicates: 0 };
    return this.#statements.transaction(() => acceptInputs(this.#statements, inputs, dedupWindowMs));
  }

  async settle(settlements: Settlement[], emitted: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    if (settlements.length === 0 && emitted.length === 0) return { created: [], duplicates: 0 };
    return this.#statements.transaction(() => {
      applySettlements(this.#statements, settlements);
      return acceptInputs(this.#statements, emitted, dedupWindowMs);
    });
  }

  async pending(): Promise<DeliveryRecord[]> {
    return this.#statements.sql(PENDING).all().map(toDelivery);
  }

  async listDlq(filter: DlqFilter, page: { limit: number; offset?: number }): Promise<DlqEntry[]> {
    return dlq.listDlq(this.#statements, filter, checkLimit(page.limit), checkOffset(page.offset));
  }

  async countDlq(filter: DlqFilter): Promise<number> {
    return dlq.countDlq(this.#statements, filter);
  }

  async getDlq(id: string): Promise<DlqEntry | undefined> {
    return dlq.getDlq(this.#statements, id);
  }

  async purgeDlq(filter: DlqFilter): Promise<number> {
    return dlq.purgeDlq(this.#statements, filter);
  }

  async replayDlq(filter: DlqFilter, now: number): Promise<DeliveryRecord[]> {
    return this.#statements.transaction(() => dlq.replayDlq(this.#statements, filter, now));
  }

  /** `to` defaults to the wall clock: JournalQuery has no injected `now`. */
  async readJournal(query: JournalQuery): Promise<JournalEntry[]> {
    const limit = checkLimit(query.limit);
    if (limit === 0) return [];
    return journal.readJournal(this.#statements, query, limit, query.to ?? Date.now());
  }

  async redeliver(entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): Promise<DeliveryRecord[]> {
    if (entries.length === 0) return [];
    return this.#statements.transaction(() => journal.redeliver(this.#statements, entries, now));
  }

  async prune(policy: RetentionPolicy, now: number): Promise<{ journal: number; dlq: number; dedup: number }> {
    checkRetention(policy);
    return this.#statements.transaction(() => journal.prune(this.#statements, policy, now));
  }

  async kvGet(namespace: string, key: string, now: number): Promise<string | null> {
    return kv.kvGet(this.#statements, namespace, key, now);
  }

  async kvSet(namespace: string, key: string, value: string, ttlMs: number | null, now: number): Promise<void> {
    kv.kvSet(this.#statements, namespace, key, value, ttlMs === null ? null : checkTtl(ttlMs), now);
  }

  async kvDelete(namespace: string, key: string, now: number): Promise<boolean> {
    return kv.kvDelete(this.#statements, namespace, key, now);
  }

  async kvIncr(namespace: string, key: string, by: number, now: number): Promise<number> {
    return this.#statements.transaction(() => kv.kvIncr(this.#statements, namespace, key, by, now));
  }

  async seen(key: string, ttlMs: number, now: number): Promise<boolean> {
    return kv.seen(this.#statements, key, checkTtl(ttlMs), now);
  }

  async forget(key: string): Promise<void> {
    kv.forget(this.#statements, key);
  }

  async depth(): Promise<Record<string, number>> {
    const rows = this.#statements.sql('SELECT plugin, count(*) AS n FROM deliveries GROUP BY plugin').all();
    return Object.fromEntries(rows.map((row) => [text(row, 'plugin'), int(row, 'n')]));
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
