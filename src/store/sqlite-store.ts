// The embedded default store (CONTRACT §6): one SQLite file in WAL mode,
// through node:sqlite. Every method but prune runs synchronously inside the
// promise it returns, and every write batch is one transaction, so a resolved
// promise means the batch is committed (see sqlite-schema.ts for what
// survives a crash). prune is several transactions, with turns between.
// Writes that create or settle deliveries go through #write, which brings the
// in-memory pending index in step first (sqlite-pending-index.ts).
import type { DatabaseSync } from 'node:sqlite';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import type {
  AcceptInput, AcceptResult, DeliveryRecord, DlqEntry, DlqFilter, JournalEntry, JournalQuery, RetentionPolicy, Settlement, Store,
} from './store.ts';
import { openDatabase } from './sqlite-schema.ts';
import { BACKSTOP_CHECKPOINT_PAGES, Checkpointer } from './sqlite-checkpointer.ts';
import { Statements } from './sqlite-statements.ts';
import { PendingIndex } from './sqlite-pending-index.ts';
import { SeenKeys } from './sqlite-seen.ts';
import * as recovery from './sqlite-recovery.ts';
import { acceptInputs, applySettlements, type Writer } from './sqlite-writes.ts';
import * as dlq from './sqlite-dlq.ts';
import * as journal from './sqlite-journal.ts';
import * as kv from './sqlite-kv.ts';
import { checkClaims, checkDedupWindow, checkLimit, checkOffset, checkRetention, checkTtl } from './store-args.ts';

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #statements: Statements;
  readonly #writer: Writer;
  readonly #seen: SeenKeys;
  readonly #checkpointer: Checkpointer | undefined;

  /** Opens (creating the directory, file and schema as needed) the store at `path`; `:memory:` for tests. */
  static open(path: string): SqliteStore {
    const db = openDatabase(path);
    if (path === ':memory:') return new SqliteStore(db, undefined);
    db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    return new SqliteStore(db, new Checkpointer(path));
  }

  private constructor(db: DatabaseSync, checkpointer: Checkpointer | undefined) {
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.#statements = new Statements(db);
    this.#seen = new SeenKeys(this.#statements);
    this.#seen.load();
    this.#writer = { statements: this.#statements, index: new PendingIndex(this.#statements), seen: this.#seen };
  }

  /** How many times this store's background checkpointer has flushed the database file (sqlite-checkpointer.ts); 0 for `:memory:`. */
  get checkpointFlushes(): number {
    return this.#checkpointer?.flushes ?? 0;
  }

  /** One write transaction; replay keys it recorded or forgot follow it into memory only if it commits. */
  #transaction<T>(body: () => T, onAbort?: () => void): T {
    const result = this.#statements.transaction(body, () => {
      onAbort?.();
      this.#seen.rollback();
    });
    this.#seen.commit();
    return result;
  }

  /** One transaction over deliveries: the index is checked first, written back last, and dropped if the transaction fails. */
  #write<T>(body: (writer: Writer) => T): T {
    const { index } = this.#writer;
    return this.#transaction(() => {
      index.sync();
      const result = body(this.#writer);
      index.flush();
      return result;
    }, () => index.invalidate());
  }

  async accept(inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(inputs);
    if (inputs.length === 0) return { created: [], duplicates: 0 };
    return this.#write((writer) => acceptInputs(writer, inputs, dedupWindowMs));
  }

  async settle(settlements: Settlement[], emitted: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(emitted);
    if (settlements.length === 0 && emitted.length === 0) return { created: [], duplicates: 0 };
    return this.#write((writer) => {
      const unapplied = applySettlements(writer, settlements);
      if (unapplied === undefined) return acceptInputs(writer, emitted, dedupWindowMs);
      const result = acceptInputs(writer, emitted, dedupWindowMs, new Set(unapplied.map((i) => (settlements[i] as Settlement).deliveryId)));
      result.unapplied = unapplied;
      return result;
    });
  }

  async pending(): Promise<DeliveryRecord[]> {
    return recovery.pending(this.#statements);
  }

  /** One host per SQLite file: after a restart everything pending is its own, and nobody else leaves orphans. */
  async adopt(options: { own: boolean }): Promise<DeliveryRecord[]> {
    return options.own ? recovery.pending(this.#statements) : [];
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
    return this.#write((writer) => dlq.replayDlq(writer, filter, now));
  }

  /** `to` defaults to the wall clock: JournalQuery has no injected `now`. */
  async readJournal(query: JournalQuery): Promise<JournalEntry[]> {
    const limit = checkLimit(query.limit);
    if (limit === 0) return [];
    return journal.readJournal(this.#statements, query, limit, query.to ?? Date.now());
  }

  async redeliver(entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): Promise<DeliveryRecord[]> {
    if (entries.length === 0) return [];
    return this.#write((writer) => journal.redeliver(writer, entries, now));
  }

  /**
   * The journal a group of rows per transaction, with a turn of the event
   * loop between (sqlite-journal.ts): an hour of a busy journal is millions
   * of envelopes to parse, which in one transaction held every other call
   * for seconds. A store closed meanwhile stops where it is.
   */
  async prune(policy: RetentionPolicy, now: number): Promise<{ journal: number; dlq: number; dedup: number }> {
    checkRetention(policy);
    const before = now - policy.journalMs;
    let pruned = 0;
    for (const group of journal.oldRowGroups(this.#statements, before)) {
      pruned += this.#statements.transaction(() => journal.pruneJournalRows(this.#statements, group, before));
      await yieldTurn();
      if (!this.#db.isOpen) return { journal: pruned, dlq: 0, dedup: 0 };
    }
    const { dlq, dedup } = this.#statements.transaction(() => {
      this.#seen.prune(now);
      return journal.pruneTables(this.#statements, policy, now);
    });
    this.#seen.pruned(now);
    return { journal: pruned, dlq, dedup };
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
    const ttl = checkTtl(ttlMs);
    return this.#transaction(() => this.#seen.record(key, ttl, now));
  }

  async forget(key: string): Promise<void> {
    this.#transaction(() => this.#seen.forget(key));
  }

  async depth(): Promise<Record<string, number>> {
    return recovery.depth(this.#statements);
  }

  async close(): Promise<void> {
    await this.#checkpointer?.stop();
    if (this.#db.isOpen) this.#db.close();
  }
}
