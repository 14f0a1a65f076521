// Deliveries of hosts that share one Redis store. A delivery is run by the
// host its id names (src/store/host-ids.ts), unless run-by says otherwise (it
// was adopted, or replayed from the DLQ by another host). Every host holds a
// lease key it renews; a host whose lease is gone has stopped, and any host
// may adopt its pending deliveries: one script re-checks, per delivery, that
// nobody adopted it meanwhile, so two adopters never both get one.
import type { Redis } from 'ioredis';
import type { DeliveryRecord } from './store.ts';
import { command, LuaScript, optionalStrings, pairs } from './redis-commands.ts';
import { decodeDelivery, decodeEvent, toDeliveryRecord, type StoredDelivery } from './redis-codec.ts';
import { hostLeaseKey, type RedisKeys } from './redis-keys.ts';
import { hostOfDeliveryId } from './host-ids.ts';
import { deliveryOrder } from './record-order.ts';

/** How long a host's lease lasts without renewal; it renews it every third of that. */
export const LEASE_MS = 15_000;
const CHUNK = 1000;

// KEYS: deliveries, run-by. ARGV[1]: the adopting host; then pairs (id, run-by value seen, '' for none).
// Returns the ids adopted: still pending, and run-by unchanged since it was read.
const ADOPT = new LuaScript(`
local adopted = {}
for k = 2, #ARGV, 2 do
  local id, seen = ARGV[k], ARGV[k + 1]
  if redis.call('HEXISTS', KEYS[1], id) == 1 and (redis.call('HGET', KEYS[2], id) or '') == seen then
    redis.call('HSET', KEYS[2], id, ARGV[1])
    adopted[#adopted + 1] = id
  end
end
return adopted
`, { once: true });

/** Renews `host`'s lease; a failure (Redis away) is retried at the next renewal. */
export async function renewLease(redis: Redis, keys: RedisKeys, host: string, now: number): Promise<void> {
  await command(redis, 'SET', [hostLeaseKey(keys, host), now, 'PX', LEASE_MS]);
}

export async function dropLease(redis: Redis, keys: RedisKeys, host: string): Promise<void> {
  await command(redis, 'DEL', [hostLeaseKey(keys, host)]);
}

export async function adopt(redis: Redis, keys: RedisKeys, me: string, own: boolean): Promise<DeliveryRecord[]> {
  const stored = await allDeliveries(redis, keys);
  const ids = [...stored.keys()];
  const runBy = await hmgetChunked(redis, keys.runBy, ids);
  const runner = (i: number): string => runBy[i] ?? hostOfDeliveryId(ids[i] as string) ?? '';
  const others = [...new Set(ids.map((_, i) => runner(i)).filter((h) => h !== me && h !== ''))];
  const leases = others.length === 0 ? [] : optionalStrings(await command(redis, 'MGET', others.map((h) => hostLeaseKey(keys, h))));
  const alive = new Set(others.filter((_, i) => leases[i] !== null));
  const mine: string[] = [];
  const candidates: (string)[] = [];
  ids.forEach((id, i) => {
    const host = runner(i);
    if (host === me) {
      if (own) mine.push(id);
    } else if (!alive.has(host)) {
      candidates.push(id, runBy[i] ?? '');
    }
  });
  const adopted: string[] = [];
  for (let i = 0; i < candidates.length; i += 2 * CHUNK) {
    const reply = await ADOPT.run(redis, [keys.deliveries, keys.runBy], [me, ...candidates.slice(i, i + 2 * CHUNK)]);
    if (Array.isArray(reply)) adopted.push(...reply.map(String));
  }
  return records(redis, keys, [...mine, ...adopted].map((id) => [id, stored.get(id) as StoredDelivery]));
}

/** HSCAN, so a large backlog does not block Redis. */
export async function allDeliveries(redis: Redis, keys: RedisKeys): Promise<Map<string, StoredDelivery>> {
  const stored = new Map<string, StoredDelivery>();
  let cursor = '0';
  do {
    const reply = await command(redis, 'HSCAN', [keys.deliveries, cursor, 'COUNT', CHUNK]);
    if (!Array.isArray(reply)) throw new TypeError('store: unexpected HSCAN reply');
    cursor = String(reply[0]);
    for (const [id, json] of pairs(reply[1])) stored.set(id, decodeDelivery(json));
  } while (cursor !== '0');
  return stored;
}

/** The records of these deliveries with their events, oldest first; a delivery whose event is gone is skipped. */
export async function records(redis: Redis, keys: RedisKeys, deliveries: readonly [string, StoredDelivery][]): Promise<DeliveryRecord[]> {
  const seqs = [...new Set(deliveries.map(([, d]) => d.seq))];
  const texts = await hmgetChunked(redis, keys.journal, seqs);
  const events = new Map<number, string>();
  seqs.forEach((seq, i) => {
    const text = texts[i];
    if (text != null) events.set(seq, text);
  });
  const out: DeliveryRecord[] = [];
  for (const [id, d] of deliveries) {
    const json = events.get(d.seq);
    if (json !== undefined) out.push(toDeliveryRecord(id, d, decodeEvent(json)));
  }
  return out.sort(deliveryOrder);
}

async function hmgetChunked(redis: Redis, key: string, fields: readonly (string | number)[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < fields.length; i += CHUNK) out.push(...optionalStrings(await command(redis, 'HMGET', [key, ...fields.slice(i, i + CHUNK)])));
  return out;
}
