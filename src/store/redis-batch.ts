// JavaScript side of the Redis write batch: reads what the settlements refer
// to, encodes every value, runs BATCH_SCRIPT and turns its answer into an
// AcceptResult. The reads before the script are safe without a lock: a
// delivery's seq, plugin and acceptedAt never change while it exists, and the
// script re-checks that each delivery still exists before touching it.
import type { Redis } from 'ioredis';
import type { AcceptInput, AcceptResult, DeliveryRecord, EventRouting, Settlement } from './store.ts';
import { FreshRecord, routingFrom } from './fresh-record.ts';
import { command, optionalStrings, strings, type Arg } from './redis-commands.ts';
import { decodeDelivery, decodeEvent, encodeDelivery, encodeDlqMeta, freshDeliveryTail, type StoredDelivery } from './redis-codec.ts';
import { seenKey, type RedisKeys } from './redis-keys.ts';
import { BATCH_KEY_COUNT, BATCH_SCRIPT, batchKeys } from './redis-batch-script.ts';
import { checkTtl } from './store-args.ts';

/** `host`: the host writing; its settlements apply only to deliveries it runs (see BATCH_SCRIPT). */
export async function writeBatch(redis: Redis, keys: RedisKeys, host: string, settlements: Settlement[], inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
  const { args: settled, sent } = await settlementArgs(redis, keys, settlements);
  const args: Arg[] = [host, ...settled];
  args.push(inputs.length);
  // Kept for the created records: the engine hands these texts to the sandbox instead of serializing again.
  const eventJsons: string[] = [];
  // Replay claims are keys of their own, passed after the script's fixed keys (KEYS[13]...).
  const claimKeys: (string | Buffer)[] = [];
  let causes: Map<string, number> | undefined;
  for (const { event, acceptedAt, deliveries, claim, cause } of inputs) {
    const key = event.idempotencykey;
    const dedup = typeof key === 'string' && dedupWindowMs > 0;
    const json = JSON.stringify(event);
    eventJsons.push(json);
    if (claim !== undefined) claimKeys.push(seenKey(keys, claim.key));
    const ttl = claim === undefined ? 0 : checkTtl(claim.ttlMs);
    args.push(acceptedAt, dedup ? acceptedAt + dedupWindowMs : 0, json, claim === undefined ? 0 : BATCH_KEY_COUNT + claimKeys.length, ttl, cause === undefined ? 0 : (causes ??= causeArgs(settlements, sent)).get(cause) ?? 0, deliveries.length);
    for (const { id, plugin } of deliveries) {
      // JSON keeps (key, plugin) pairs apart whatever characters they contain.
      args.push(id, plugin, dedup ? JSON.stringify([key, plugin]) : '', freshDeliveryTail(plugin, acceptedAt));
    }
  }
  return decodeReply(await BATCH_SCRIPT.run(redis, [...batchKeys(keys), ...claimKeys], args), inputs, eventJsons, sent, settlements.length);
}

/**
 * Settlements of deliveries that no longer exist are dropped, as in SQLite; so are those of deliveries another host runs now (the script decides).
 * `sent`: the position (in `settlements`) of each settlement passed to the script, in order; those left out here did not apply.
 */
async function settlementArgs(redis: Redis, keys: RedisKeys, settlements: Settlement[]): Promise<{ args: Arg[]; sent: number[] }> {
  const sent: number[] = [];
  if (settlements.length === 0) return { args: [0], sent };
  const ids = [...new Set(settlements.map((s) => s.deliveryId))];
  const stored = new Map<string, StoredDelivery>();
  optionalStrings(await command(redis, 'HMGET', [keys.deliveries, ...ids])).forEach((json, i) => {
    if (json !== null) stored.set(ids[i] as string, decodeDelivery(json));
  });
  const facts = await deadEventFacts(redis, keys, settlements, stored);
  const args: Arg[] = [];
  let count = 0;
  for (let i = 0; i < settlements.length; i++) {
    const s = settlements[i] as Settlement;
    const d = stored.get(s.deliveryId);
    if (d === undefined) continue;
    if (s.kind === 'done') args.push('D', s.deliveryId, d.seq, d.plugin, '', 0);
    else if (s.kind === 'retry') {
      const payload = encodeDelivery({ ...d, attempt: s.attempt, availableAt: s.availableAt, lastError: s.error });
      args.push('R', s.deliveryId, d.seq, d.plugin, payload, 0);
    } else {
      const event = facts.get(d.seq);
      if (event === undefined) continue;
      const meta = { seq: d.seq, plugin: d.plugin, source: event.source, type: event.type, reason: s.reason, attempts: s.attempt, acceptedAt: d.acceptedAt, deadAt: s.at };
      args.push('X', s.deliveryId, d.seq, d.plugin, encodeDlqMeta(s.error === undefined ? meta : { ...meta, error: s.error }), s.at);
    }
    sent.push(i);
    count++;
  }
  return { args: [count, ...args], sent };
}

/** Source and type of the events being dead-lettered: the DLQ filters on them. */
async function deadEventFacts(redis: Redis, keys: RedisKeys, settlements: Settlement[], stored: Map<string, StoredDelivery>): Promise<Map<number, { source: string; type: string }>> {
  const wanted = new Set<number>();
  for (let i = 0; i < settlements.length; i++) {
    const s = settlements[i] as Settlement;
    const d = stored.get(s.deliveryId);
    if (s.kind === 'dead' && d !== undefined) wanted.add(d.seq);
  }
  const seqs = [...wanted];
  const facts = new Map<number, { source: string; type: string }>();
  if (seqs.length === 0) return facts;
  optionalStrings(await command(redis, 'HMGET', [keys.journal, ...seqs])).forEach((json, i) => {
    if (json === null) return;
    const { source, type } = decodeEvent(json);
    facts.set(seqs[i] as number, { source, type });
  });
  return facts;
}

/**
 * Emitted events' causes as the script takes them (AcceptInput.cause), by delivery id: -1 when a
 * settlement of that delivery was left out here (it did not apply), else the 1-based position among
 * the script's settlements of its last one. A cause with no settlement in the call is 0 (none).
 */
function causeArgs(settlements: readonly Settlement[], sent: readonly number[]): Map<string, number> {
  const causes = new Map<string, number>();
  let k = 0;
  for (let i = 0; i < settlements.length; i++) {
    const id = (settlements[i] as Settlement).deliveryId;
    if (sent[k] === i) {
      k++;
      if (causes.get(id) !== -1) causes.set(id, k);
    } else causes.set(id, -1);
  }
  return causes;
}

/** `sent`: see settlementArgs; `total`: how many settlements the caller gave. */
function decodeReply(reply: unknown, inputs: AcceptInput[], eventJsons: string[], sent: readonly number[], total: number): AcceptResult {
  if (!Array.isArray(reply) || reply.length !== 5) throw new TypeError('store: unexpected reply from the batch script');
  const seqs = strings(reply[0]).map(Number);
  const flags = String(reply[1]);
  const replayed = strings(reply[3]).map((n) => Number(n) - 1);
  const created: DeliveryRecord[] = [];
  let f = 0;
  inputs.forEach(({ event, acceptedAt, deliveries }, n) => {
    const seq = seqs[n] as number;
    let routing: EventRouting | undefined;
    for (const { id, plugin } of deliveries) {
      if (flags[f++] !== '1') continue;
      routing ??= routingFrom(event);
      created.push(new FreshRecord(id, seq, plugin, acceptedAt, eventJsons[n] as string, routing, undefined));
    }
  });
  const result: AcceptResult = { created, duplicates: Number(reply[2]) };
  if (replayed.length > 0) result.replayed = replayed;
  const unapplied = unappliedPositions(String(reply[4]), sent, total);
  if (unapplied.length > 0) result.unapplied = unapplied;
  return result;
}

/** The settlements left out before the script and those the script refused, as positions in what the caller gave. */
function unappliedPositions(applied: string, sent: readonly number[], total: number): number[] {
  const ok = new Uint8Array(total);
  for (let k = 0; k < sent.length; k++) if (applied[k] === '1') ok[sent[k] as number] = 1;
  const unapplied: number[] = [];
  for (let i = 0; i < total; i++) if (ok[i] === 0) unapplied.push(i);
  return unapplied;
}
