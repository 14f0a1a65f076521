// Journal reads, retention and redelivery for the Redis store.
//
// readJournal walks the journal in seq order (the by-seq sorted set skips
// pruned gaps) and filters time range and type in memory: acceptedAt is not
// guaranteed to grow with seq (several hosts, clock steps), so no index
// bounds a seq-ordered page exactly. Cost: a full replay reads the journal
// once from its first entry (each page resumes at afterSeq); a page with a
// rare type may read many entries to fill itself. Only seqs and times are
// read for entries outside the time range, never their envelopes.
import type { Redis } from 'ioredis';
import type { DeliveryRecord, JournalEntry, JournalQuery, RetentionPolicy } from './store.ts';
import { command, optionalStrings, strings, type Arg } from './redis-commands.ts';
import { decodeEvent, encodeDelivery } from './redis-codec.ts';
import type { RedisKeys } from './redis-keys.ts';
import { DROP_BY_SCORE, PRUNE_JOURNAL, pruneJournalKeys, REDELIVER, redeliverKeys } from './redis-scripts.ts';
import { typeMatches } from './type-filter.ts';

const CHUNK = 500;

interface Stored {
  seq: number;
  acceptedAt: number;
  envelope: string;
}

/** Journal entries `seqs` that still exist (HMGET and ZMSCORE pipelined). */
async function fetchEntries(redis: Redis, keys: RedisKeys, seqs: Arg[]): Promise<Stored[]> {
  if (seqs.length === 0) return [];
  const [envelopes, times] = await Promise.all([
    command(redis, 'HMGET', [keys.journal, ...seqs]).then(optionalStrings),
    command(redis, 'ZMSCORE', [keys.journalAt, ...seqs]).then(optionalStrings),
  ]);
  const out: Stored[] = [];
  seqs.forEach((seq, i) => {
    const envelope = envelopes[i];
    const time = times[i];
    if (envelope != null && time != null) out.push({ seq: Number(seq), acceptedAt: Number(time), envelope });
  });
  return out;
}

export async function readJournal(redis: Redis, keys: RedisKeys, query: JournalQuery, limit: number, to: number): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  let after = query.afterSeq ?? 0;
  for (;;) {
    const seqs = strings(await command(redis, 'ZRANGE', [keys.journalSeq, `(${after}`, '+inf', 'BYSCORE', 'LIMIT', 0, CHUNK]));
    if (seqs.length === 0) return out;
    // Times first: envelopes outside the range are never transferred.
    const times = optionalStrings(await command(redis, 'ZMSCORE', [keys.journalAt, ...seqs]));
    const inRange = seqs.filter((_, i) => {
      const time = times[i];
      return time != null && Number(time) >= query.from && Number(time) < to;
    });
    for (const { seq, acceptedAt, envelope } of await fetchEntries(redis, keys, inRange)) {
      const event = decodeEvent(envelope);
      if (query.type !== undefined && !typeMatches(query.type, event.type)) continue;
      out.push({ seq, acceptedAt, event });
      if (out.length === limit) return out;
    }
    if (seqs.length < CHUNK) return out;
    after = Number(seqs[seqs.length - 1]);
  }
}

/** Chunked: each chunk is atomic, a prune as a whole is not (it never needs to be). */
export async function prune(redis: Redis, keys: RedisKeys, policy: RetentionPolicy, now: number): Promise<{ journal: number; dlq: number; dedup: number }> {
  let journal = 0;
  for (let skip = 0; ; ) {
    const reply = await PRUNE_JOURNAL.run(redis, pruneJournalKeys(keys), [now - policy.journalMs, CHUNK, skip]);
    const [deleted, kept, seen] = Array.isArray(reply) ? reply.map(Number) : [0, 0, 0];
    journal += deleted ?? 0;
    skip += kept ?? 0;
    if ((seen ?? 0) < CHUNK) break;
  }
  const dlq = await dropByScore(redis, [keys.dlqAt, keys.dlq, keys.dlqEnvelopes], `(${now - policy.dlqMs}`);
  const dedup = await dropByScore(redis, [keys.dedupAt, keys.dedup], String(now));
  return { journal, dlq, dedup };
}

async function dropByScore(redis: Redis, scriptKeys: string[], max: string): Promise<number> {
  let total = 0;
  for (;;) {
    const n = Number(await DROP_BY_SCORE.run(redis, scriptKeys, [max, CHUNK]));
    total += n;
    if (n < CHUNK) return total;
  }
}

export async function redeliver(redis: Redis, keys: RedisKeys, entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): Promise<DeliveryRecord[]> {
  const seqs = [...new Set(entries.map((e) => e.seq))];
  if (seqs.length === 0) return [];
  const known = new Map((await fetchEntries(redis, keys, seqs)).map((e) => [e.seq, { acceptedAt: e.acceptedAt, event: decodeEvent(e.envelope) }]));
  const candidates: DeliveryRecord[] = [];
  for (const { seq, deliveries } of entries) {
    const entry = known.get(seq);
    if (entry === undefined) continue;
    for (const { id, plugin } of deliveries) candidates.push({ id, seq, plugin, event: entry.event, attempt: 0, availableAt: now, acceptedAt: entry.acceptedAt });
  }
  if (candidates.length === 0) return [];
  const args = candidates.flatMap((d) => [d.seq, d.id, d.plugin, encodeDelivery(d)]);
  const flags = String(await REDELIVER.run(redis, redeliverKeys(keys), args));
  return candidates.filter((_, i) => flags[i] === '1');
}
