// The dead-letter queue on Redis: metadata hash, envelope hash and a sorted
// set by deadAt. Only the deadAt range is indexed; the other filters run in
// memory over the metadata, read in chunks in listing order. Cost: O(entries
// in the deadAt range) per call (a page stops early once it is full), which
// suits a DLQ that operators inspect and drain rather than one that grows
// without bound (prune caps it at the DLQ retention, REQ-T255).
import type { Redis } from 'ioredis';
import type { DeliveryRecord, DlqEntry, DlqFilter } from './store.ts';
import { command, optionalStrings, strings } from './redis-commands.ts';
import { decodeDlqMeta, decodeEvent, encodeDelivery, toDlqEntry, type StoredDlqMeta } from './redis-codec.ts';
import type { RedisKeys } from './redis-keys.ts';
import { DROP_DLQ, dlqKeys, REPLAY_DLQ, replayKeys } from './redis-scripts.ts';
import { deliveryOrder, dlqOrder } from './record-order.ts';
import { dlqFilterMatches, type DlqFacts } from './type-filter.ts';

const CHUNK = 500;
type Meta = StoredDlqMeta & DlqFacts;

async function metas(redis: Redis, keys: RedisKeys, ids: string[]): Promise<Meta[]> {
  if (ids.length === 0) return [];
  const json = optionalStrings(await command(redis, 'HMGET', [keys.dlq, ...ids]));
  return ids.flatMap((id, i) => {
    const text = json[i];
    return text == null ? [] : [decodeDlqMeta(id, text)];
  });
}

/** Matching entries in listing order (deadAt desc, id desc); stops once `want` are found. */
async function scan(redis: Redis, keys: RedisKeys, filter: DlqFilter, want = Infinity): Promise<Meta[]> {
  if (filter.ids !== undefined) {
    return (await metas(redis, keys, [...new Set(filter.ids)])).filter((m) => dlqFilterMatches(filter, m)).sort(dlqOrder);
  }
  // Chunks continue below the last deadAt read (keyset), not at an offset from the top: entries
  // dead-lettered or replayed by other hosts during the scan would shift an offset, and an entry
  // would be listed twice or missed. Only among entries of the very same deadAt is an offset left.
  let max = filter.to === undefined ? '+inf' : `(${filter.to}`;
  const min = filter.from === undefined ? '-inf' : String(filter.from);
  let skip = 0;
  const out: Meta[] = [];
  while (out.length < want) {
    const chunk = withScores(await command(redis, 'ZRANGE', [keys.dlqAt, max, min, 'BYSCORE', 'REV', 'LIMIT', skip, CHUNK, 'WITHSCORES']));
    for (const meta of await metas(redis, keys, chunk.map(([id]) => id))) if (dlqFilterMatches(filter, meta)) out.push(meta);
    if (chunk.length < CHUNK) break;
    const last = (chunk[chunk.length - 1] as [string, string])[1];
    let ties = 0;
    for (let i = chunk.length - 1; i >= 0 && (chunk[i] as [string, string])[1] === last; i--) ties++;
    if (max === last) skip += ties;
    else {
      max = last;
      skip = ties;
    }
  }
  return out;
}

/** ZRANGE … WITHSCORES as [member, score] pairs: a flat array (RESP2) or pairs (RESP3 mapping). */
function withScores(reply: unknown): [string, string][] {
  if (!Array.isArray(reply)) throw new TypeError('store: expected an array reply from Redis');
  if (reply.length > 0 && Array.isArray(reply[0])) return reply.map((pair: unknown[]) => [String(pair[0]), String(pair[1])]);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), String(reply[i + 1])]);
  return out;
}

async function envelopes(redis: Redis, keys: RedisKeys, ids: string[]): Promise<(string | null)[]> {
  return ids.length === 0 ? [] : optionalStrings(await command(redis, 'HMGET', [keys.dlqEnvelopes, ...ids]));
}

async function withEvents(redis: Redis, keys: RedisKeys, page: Meta[]): Promise<DlqEntry[]> {
  const texts = await envelopes(redis, keys, page.map((m) => m.id));
  return page.flatMap((meta, i) => {
    const text = texts[i];
    return text == null ? [] : [toDlqEntry(meta.id, meta, decodeEvent(text))];
  });
}

export async function listDlq(redis: Redis, keys: RedisKeys, filter: DlqFilter, limit: number, offset: number): Promise<DlqEntry[]> {
  if (limit === 0) return [];
  const page = (await scan(redis, keys, filter, offset + limit)).slice(offset, offset + limit);
  return withEvents(redis, keys, page);
}

export async function countDlq(redis: Redis, keys: RedisKeys, filter: DlqFilter): Promise<number> {
  const onlyTime = filter.ids === undefined && filter.plugin === undefined && filter.source === undefined && filter.type === undefined && filter.reason === undefined;
  if (!onlyTime) return (await scan(redis, keys, filter)).length;
  const max = filter.to === undefined ? '+inf' : `(${filter.to}`;
  return Number(await command(redis, 'ZCOUNT', [keys.dlqAt, filter.from ?? '-inf', max]));
}

export async function getDlq(redis: Redis, keys: RedisKeys, id: string): Promise<DlqEntry | undefined> {
  const [entry] = await withEvents(redis, keys, await metas(redis, keys, [id]));
  return entry;
}

export async function purgeDlq(redis: Redis, keys: RedisKeys, filter: DlqFilter): Promise<number> {
  const ids = (await scan(redis, keys, filter)).map((m) => m.id);
  let purged = 0;
  for (let i = 0; i < ids.length; i += CHUNK) purged += Number(await DROP_DLQ.run(redis, dlqKeys(keys), ids.slice(i, i + CHUNK)));
  return purged;
}

/** One script for the whole replay, so it is atomic as the interface promises (it blocks Redis for its length). */
export async function replayDlq(redis: Redis, keys: RedisKeys, host: string, filter: DlqFilter, now: number): Promise<DeliveryRecord[]> {
  const found = await scan(redis, keys, filter);
  const texts = await envelopes(redis, keys, found.map((m) => m.id));
  const candidates: DeliveryRecord[] = [];
  found.forEach((meta, i) => {
    const text = texts[i];
    if (text == null) return;
    candidates.push({ id: meta.id, seq: meta.seq, plugin: meta.plugin, event: decodeEvent(text), attempt: 0, availableAt: now, acceptedAt: meta.acceptedAt });
  });
  if (candidates.length === 0) return [];
  candidates.sort(deliveryOrder);
  const args = candidates.flatMap((d) => [d.id, d.seq, d.plugin, d.acceptedAt, encodeDelivery(d)]);
  const flags = String(await REPLAY_DLQ.run(redis, replayKeys(keys), [host, ...args]));
  return candidates.filter((_, i) => flags[i] === '1');
}
