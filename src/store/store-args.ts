// Argument checks both stores apply before touching storage, so a bad call
// fails the same way (PLEXUS_INVALID_REQUEST) whichever backend is configured,
// and never reaches SQL (`LIMIT -1` means "no limit" there) or Redis (`PX 0`
// is a syntax error there).
import { PlexusError } from '@plexus/plugin-sdk';
import type { AcceptInput, RetentionPolicy } from './store.ts';

function invalid(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_REQUEST', message);
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw invalid(`limit must be a non-negative integer, got ${limit}`);
  return limit;
}

export function checkOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid(`offset must be a non-negative integer, got ${offset}`);
  return offset;
}

/**
 * The longest TTL kept: 100 years. A plugin may write `ttlMs: Number.MAX_VALUE`
 * for "practically forever"; Redis refuses a PX or PEXPIRE above ~9.2e18, and
 * its kv write would fail after it had replaced the value. Both stores keep
 * longer TTLs as this one, so they agree.
 */
export const MAX_TTL_MS = 100 * 365 * 86_400_000;

/** TTLs are whole milliseconds (Redis PX takes integers); fractions round up so nothing expires early. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw invalid(`ttlMs must be a positive number, got ${ttlMs}`);
  return Math.min(Math.ceil(ttlMs), MAX_TTL_MS);
}

export function checkDedupWindow(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw invalid(`dedupWindowMs must be a non-negative number of ms, got ${ms}`);
  return ms;
}

export function checkRetention(policy: RetentionPolicy): RetentionPolicy {
  for (const [name, ms] of Object.entries(policy)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalid(`retention ${name} must be a non-negative number of ms`);
  }
  return policy;
}

export function deliveryConflict(id: string): PlexusError {
  return new PlexusError('PLEXUS_CONFLICT', `a pending delivery with id "${id}" already exists`);
}

/** Replay claims: a non-empty key and a positive window (as seen() requires). */
export function checkClaims(inputs: readonly AcceptInput[]): void {
  for (const { claim } of inputs) {
    if (claim === undefined) continue;
    if (typeof claim.key !== 'string' || claim.key === '') throw invalid('a replay claim needs a non-empty key');
    checkTtl(claim.ttlMs);
  }
}
