// Deliveries of hosts that share one Redis store. A delivery is run by the
// host its id names (src/store/host-ids.ts), unless run-by says otherwise (it
// was adopted, or replayed from the DLQ by another host). Every host holds a
// lease key it renews (redis-lease.ts); a host whose lease is gone has stopped, and any host
// may adopt its pending deliveries: one script re-checks, per delivery, that
// nobody adopted it meanwhile, so two adopters never both get one.
import type { Redis } from 'ioredis';
import type { DeliveryRecord } from './store.ts';
import { command, LuaScript, optionalStrings, pairs, strings } from './redis-commands.ts';
import { decodeDelivery, decodeEvent, toDeliveryRecord, type StoredDelivery } from './redis-codec.ts';
import { hostLeaseKey, type RedisKeys } from './redis-keys.ts';
import { hostOfDeliveryId } from './host-ids.ts';
import { deliveryOrder } from './record-order.ts';

const CHUNK = 1000;

// KEYS: deliveries, run-by, journal. ARGV[1]: the adopting host; then per candidate: id, the
// run-by value seen ('' for none), the lease key of the host that ran it, its journal seq.
// Adopts a delivery that is still pending, whose run-by is unchanged since it was read and whose
// host still has no lease (it may have restarted since the leases were read, and recovered it).
// Returns id, event text ('' when the journal entry is gone) per delivery adopted: read in the
// same script, so no step after the marking can fail and leave a delivery marked but not returned.
const ADOPT = new LuaScript(`
local adopted = {}
for k = 2, #ARGV, 4 do
  local id, seen, lease, seq = ARGV[k], ARGV[k + 1], ARGV[k + 2], ARGV[k + 3]
  if redis.call('EXISTS', lease) == 0 and redis.call('HEXISTS', KEYS[1], id) == 1 and (redis.call('HGET', KEYS[2], id) or '') == seen then
    redis.call('HSET', KEYS[2], id, ARGV[1])
    adopted[#adopted + 1] = id
    adopted[#adopted + 1] = redis.call('HGET', KEYS[3], seq) or ''
  end
end
return adopted
`, { once: true });

export async function adopt(redis: Redis, keys: RedisKeys, me: string, own: boolean): Promise<DeliveryRecord[]> {
  const stored = await allDeliveries(redis, keys);
  const ids = [...stored.keys()];
  const runBy = await hmgetChunked(redis, keys.runBy, ids);
  const runner = (i: number): string => runBy[i] ?? hostOfDeliveryId(ids[i] as string) ?? '';
  const others = [...new Set(ids.map((_, i) => runner(i)).filter((h) => h !== me && h !== ''))];
  const leases = others.length === 0 ? [] : optionalStrings(await command(redis, 'MGET', others.map((h) => hostLeaseKey(keys, h))));
  const alive = new Set(others.filter((_, i) => leases[i] !== null));
  const mine: string[] = [];
  const candidates: (string | number)[] = [];
  ids.forEach((id, i) => {
    const host = runner(i);
    if (host === me) {
      if (own) mine.push(id);
    } else if (!alive.has(host)) {
      candidates.push(id, runBy[i] ?? '', hostLeaseKey(keys, host), (stored.get(id) as StoredDelivery).seq);
    }
  });
  const adopted: DeliveryRecord[] = [];
  for (let i = 0; i < candidates.length; i += 4 * CHUNK) {
    const reply = strings(await ADOPT.run(redis, [keys.deliveries, keys.runBy, keys.journal], [me, ...candidates.slice(i, i + 4 * CHUNK)]));
    for (let k = 0; k + 1 < reply.length; k += 2) {
      const id = reply[k] as string;
      const event = reply[k + 1] as string;
      if (event !== '') adopted.push(toDeliveryRecord(id, stored.get(id) as StoredDelivery, decodeEvent(event)));
    }
  }
  const owned = await records(redis, keys, mine.map((id) => [id, stored.get(id) as StoredDelivery]));
  return [...owned, ...adopted].sort(deliveryOrder);
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
