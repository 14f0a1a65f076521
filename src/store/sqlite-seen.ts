// Replay keys of the SQLite store: webhook delivery ids claimed on accept,
// and Store.seen(). A key refuses its repeats until its expiry.
//
// Why not a table keyed by the key: delivery ids are random (GitHub's GUIDs,
// Standard Webhooks' and Stripe's ids), so each claim landed on a random
// leaf of that B-tree, and each commit wrote every such page to the WAL
// (about four write syscalls per webhook, with the checkpoint's copy). That
// was ~30% of the webhook path's main-thread time. Here the table, seen_log,
// is ordered by expiry: claims made together append to the same page, and
// prune cuts its head. Finding a key is the job of an in-memory set of
// 64-bit hashes (expiring-hash-set.ts, 17-34 bytes a key), confirmed by a
// read of the row on a hash match, so the database stays the truth and a
// collision costs a read, never a wrong refusal.
//
// The set mirrors the table while no other connection has committed
// (PRAGMA data_version, read at the start of each transaction that uses it,
// with the write lock held); otherwise it is reloaded from the table.
// Changes made in a transaction that does not commit are undone.
// A key is stored as storedKey makes it (sqlite-sender-keys.ts: a key with a
// lone surrogate as a blob of its UTF-16 code units), so ids that differ only
// in lone surrogates are two keys, as on Redis. The set hashes the key itself
// and is loaded from what each row holds read back as the key, so it hashes
// the same after a restart.
import type { Statements } from './sqlite-statements.ts';
import { ExpiringHashSet } from './expiring-hash-set.ts';
import { int } from './sqlite-rows.ts';
import { keyFrom, storedKey } from './sqlite-sender-keys.ts';

const INSERT = 'INSERT INTO seen_log (expires_at, key) VALUES (?, ?)';
const CONFIRM = 'SELECT 1 AS hit FROM seen_log WHERE expires_at = ? AND key = ?';
const DELETE = 'DELETE FROM seen_log WHERE expires_at = ? AND key = ?';
const ALL = 'SELECT expires_at, key FROM seen_log';
const PRUNE = 'DELETE FROM seen_log WHERE expires_at <= ?';

/** One change of the transaction in progress: a record added, or one removed. */
interface Change {
  added: boolean;
  key: string;
  expiresAt: number;
}

export class SeenKeys {
  readonly #statements: Statements;
  readonly #set = new ExpiringHashSet();
  /** data_version the set reflects; undefined: reload before use. */
  #version: number | undefined;
  readonly #changes: Change[] = [];
  /** Whether the transaction in progress has checked data_version yet. */
  #synced = false;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** Loads the set now (the store calls it on open), so that the first claim after a start does not wait for it. */
  load(): void {
    this.#sync();
    this.#synced = false;
  }

  /** Once the transaction in progress committed. */
  commit(): void {
    this.#changes.length = 0;
    this.#synced = false;
  }

  /** Brings the set in step with the table, once per transaction and only in those that use it. */
  #sync(): void {
    if (this.#synced) return;
    this.#synced = true;
    const version = this.#statements.dataVersion();
    if (version === this.#version) return;
    this.#reload();
    this.#version = version;
  }

  /** After a transaction that did not commit: its changes leave the set too. */
  rollback(): void {
    for (let i = this.#changes.length - 1; i >= 0; i--) {
      const { added, key, expiresAt } = this.#changes[i] as Change;
      if (added) this.#set.remove(key, expiresAt);
      else this.#set.add(key, expiresAt);
    }
    this.#changes.length = 0;
    this.#synced = false;
  }

  /**
   * Call inside a transaction. True if `key` is recorded
   * beyond `now`; otherwise records it until now + ttlMs and answers false.
   * A repeat does not extend the first record.
   */
  record(key: string, ttlMs: number, now: number): boolean {
    const stored = storedKey(key);
    this.#sync();
    if (this.#liveExpiries(key, stored, now).length > 0) return true;
    const expiresAt = now + ttlMs;
    this.#statements.run(INSERT, expiresAt, stored);
    this.#set.add(key, expiresAt);
    this.#changes.push({ added: true, key, expiresAt });
    return false;
  }

  /** Call inside a transaction. Drops every record of `key`, expired or not. */
  forget(key: string): void {
    const stored = storedKey(key);
    this.#sync();
    for (const expiresAt of this.#liveExpiries(key, stored, 0)) {
      this.#statements.run(DELETE, expiresAt, stored);
      this.#set.remove(key, expiresAt);
      this.#changes.push({ added: false, key, expiresAt });
    }
  }

  /** Call inside a transaction. Deletes the rows expired by `now`; the set drops them once it commits. */
  prune(now: number): void {
    this.#statements.run(PRUNE, now);
  }

  /** After the prune's transaction committed. */
  pruned(now: number): void {
    this.#set.dropExpired(now);
  }

  /** The expiries after `now` of rows holding exactly `key` (as `stored`): those of its hash, confirmed. */
  #liveExpiries(key: string, stored: string | Uint8Array, now: number): number[] {
    const candidates = this.#set.live(key, now);
    if (candidates.length === 0) return candidates;
    const confirm = this.#statements.sql(CONFIRM);
    return candidates.filter((expiresAt) => confirm.get(expiresAt, stored) !== undefined);
  }

  /** Every row, expired ones too: prune decides when a record goes, as it does for the row. */
  #reload(): void {
    this.#set.clear();
    for (const row of this.#statements.sql(ALL).iterate()) this.#set.add(keyFrom(row.key, 'key'), int(row, 'expires_at'));
  }
}
