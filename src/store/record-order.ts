// The orders both stores answer in. SQLite compares TEXT with memcmp over
// UTF-8 and Redis orders equal-score sorted-set members the same way, so ids
// are compared by code point here (not by UTF-16 unit, which disagrees for
// characters above U+FFFF) wherever a store has to sort in memory.
import type { DeliveryRecord, DlqEntry } from './store.ts';

/** Code point order, i.e. the byte order of the UTF-8 encodings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800-DFFF) only occur in pairs encoding code points above
// U+FFFF, so they must sort after U+E000-FFFF: shift the two ranges past each other.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Pending deliveries: oldest event first, then by delivery id. */
export function deliveryOrder(a: Pick<DeliveryRecord, 'seq' | 'id'>, b: Pick<DeliveryRecord, 'seq' | 'id'>): number {
  return a.seq - b.seq || compareCodePoints(a.id, b.id);
}

/** DLQ listings: most recently dead first, ties by id descending. */
export function dlqOrder(a: Pick<DlqEntry, 'deadAt' | 'id'>, b: Pick<DlqEntry, 'deadAt' | 'id'>): number {
  return b.deadAt - a.deadAt || compareCodePoints(b.id, a.id);
}
