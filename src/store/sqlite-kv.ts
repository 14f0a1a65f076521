// Plugin kv for the SQLite store (replay keys: sqlite-seen.ts). Expiry is decided
// against the caller's `now`, never the wall clock, so the host (and tests)
// control time; prune removes expired rows. A key is bound as storedKey makes
// it, so keys that differ only in lone surrogates are two rows.
import type { Statements } from './sqlite-statements.ts';
import { incrementJsonNumber } from '@plexus/plugin-sdk/runtime';
import { storedKey } from './sqlite-sender-keys.ts';

const LIVE = '(expires_at IS NULL OR expires_at > ?)';
const UPSERT = `INSERT INTO kv (ns, key, value, expires_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

export function kvGet(statements: Statements, ns: string, key: string, now: number): string | null {
  const row = statements.sql(`SELECT value FROM kv WHERE ns = ? AND key = ? AND ${LIVE}`).get(ns, storedKey(key), now);
  return typeof row?.value === 'string' ? row.value : null;
}

export function kvSet(statements: Statements, ns: string, key: string, value: string, ttlMs: number | null, now: number): void {
  statements.run(UPSERT, ns, storedKey(key), value, ttlMs === null ? null : now + ttlMs);
}

/** True when a live value was there; an expired row is deleted all the same. */
export function kvDelete(statements: Statements, ns: string, key: string, now: number): boolean {
  const row = statements.sql('DELETE FROM kv WHERE ns = ? AND key = ? RETURNING expires_at').get(ns, storedKey(key));
  if (row === undefined) return false;
  return typeof row.expires_at !== 'number' || row.expires_at > now;
}

/** Call inside a transaction. A live value keeps its expiry; a missing or expired one starts from 0 without one. */
export function kvIncr(statements: Statements, ns: string, key: string, by: number, now: number): number {
  const stored = storedKey(key);
  const row = statements.sql(`SELECT value, expires_at FROM kv WHERE ns = ? AND key = ? AND ${LIVE}`).get(ns, stored, now);
  const current = typeof row?.value === 'string' ? row.value : null;
  const next = incrementJsonNumber(key, current, by);
  const expiresAt = typeof row?.expires_at === 'number' ? row.expires_at : null;
  statements.run(UPSERT, ns, stored, JSON.stringify(next), expiresAt);
  return next;
}
