// Stream replies decoded by shape, so both protocols work: RESP2 answers
// XREADGROUP with [[key, entries]], RESP3 (ioredis 6's default, legacy
// mapping) with the flat map [key, entries]. An entry is [id, fields], and
// fields is nil for an entry deleted from the stream while still pending.

export interface StreamEntry {
  id: string;
  /** Flat [field, value, …]; null when the entry no longer exists. */
  fields: string[] | null;
  /**
   * The same fields as the bytes Redis holds, present only when some are not
   * UTF-8 (then `fields` holds them with U+FFFD): redis-stream-bytes.ts.
   */
  raw?: Buffer[];
}

/** The entries of an XREADGROUP reply for one stream (nil → none). */
export function parseEntries(reply: unknown): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new TypeError('XREADGROUP: unexpected reply');
  if (reply.length === 0) return [];
  // RESP2: [[key, entries], …]; RESP3 legacy mapping: [key, entries, …].
  const entries: unknown = Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1];
  return entryList(entries);
}

/** XAUTOCLAIM: [next cursor, entries, deleted ids (Redis 7)]. */
export function parseClaim(reply: unknown): { next: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply) || reply.length < 2) throw new TypeError('XAUTOCLAIM: unexpected reply');
  return { next: String(reply[0]), entries: entryList(reply[1]) };
}

function entryList(value: unknown): StreamEntry[] {
  if (!Array.isArray(value)) return [];
  const out: StreamEntry[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length < 1) continue;
    const fields: unknown = item[1];
    out.push({ id: String(item[0]), fields: Array.isArray(fields) ? fields.map((f) => String(f)) : null });
  }
  return out;
}

/**
 * One group's `pending` and `lag` from XINFO GROUPS (a list of flat
 * [field, value, …] arrays). `lag` is nil when Redis cannot tell (entries
 * deleted inside the unread range): then it is left out, not made up.
 */
export function parseGroupInfo(reply: unknown, group: string): { pending?: number; lag?: number } | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) fields.set(String(item[i]), item[i + 1]);
    if (String(fields.get('name')) !== group) continue;
    const out: { pending?: number; lag?: number } = {};
    const pending = Number(fields.get('pending'));
    const lagValue = fields.get('lag');
    if (Number.isFinite(pending)) out.pending = pending;
    if (lagValue !== null && lagValue !== undefined && Number.isFinite(Number(lagValue))) out.lag = Number(lagValue);
    return out;
  }
  return undefined;
}
