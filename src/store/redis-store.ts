// The store for hosts that share state (CONTRACT §6): Redis through ioredis,
// every key under one prefix. Write batches are single Lua scripts (atomic);
// durability is whatever the Redis server is configured for (AOF with
// appendfsync everysec or always for at-least-once across a Redis restart).
import { Redis } from 'ioredis';
import { PlexusError } from '@plexus/plugin-sdk';
import type {
  AcceptInput, AcceptResult, DeliveryRecord, DlqEntry, DlqFilter, JournalEntry, JournalQuery, RetentionPolicy, Settlement, Store,
} from './store.ts';
import { command, optionalStrings, pairs, strings } from './redis-commands.ts';
import { decodeDelivery, decodeEvent, toDeliveryRecord, type StoredDelivery } from './redis-codec.ts';
import { prefixPattern, redisKeys, type RedisKeys } from './redis-keys.ts';
import { writeBatch } from './redis-batch.ts';
import * as dlq from './redis-dlq.ts';
import * as journal from './redis-journal.ts';
import * as kv from './redis-kv.ts';
import { deliveryOrder } from './record-order.ts';
import { checkClaims, checkDedupWindow, checkLimit, checkOffset, checkRetention, checkTtl } from './store-args.ts';

export interface RedisStoreOptions {
  /** Default redis://127.0.0.1:6379. Ignored when `redis` is given. */
  url?: string;
  /** Non-empty; every key starts with it. Put a hash tag in it for Redis Cluster. */
  prefix: string;
  /** A client the caller owns: close() leaves it open. */
  redis?: Redis;
}

const CHUNK = 1000;

export class RedisStore implements Store {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ownsClient: boolean;

  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    if (options.prefix.length === 0) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'RedisStore: prefix must not be empty');
    if (options.redis !== undefined) return new RedisStore(options.redis, options.prefix, false);
    const url = options.url ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(url, { lazyConnect: true });
    // The socket error (ECONNREFUSED…) arrives as an event; connect() only rejects with "Connection is closed".
    let cause: unknown;
    const remember = (err: unknown): void => {
      cause ??= err;
    };
    redis.on('error', remember);
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      cause ??= err;
      throw new PlexusError('PLEXUS_UNAVAILABLE', `cannot connect to Redis: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    } finally {
      redis.off('error', remember);
    }
    return new RedisStore(redis, options.prefix, true);
  }

  private constructor(redis: Redis, prefix: string, ownsClient: boolean) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix);
    this.#ownsClient = ownsClient;
  }

  async accept(inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(inputs);
    if (inputs.length === 0) return { created: [], duplicates: 0 };
    return writeBatch(this.#redis, this.#keys, [], inputs, dedupWindowMs);
  }

  async settle(settlements: Settlement[], emitted: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(emitted);
    if (settlements.length === 0 && emitted.length === 0) return { created: [], duplicates: 0 };
    return writeBatch(this.#redis, this.#keys, settlements, emitted, dedupWindowMs);
  }

  /** HSCAN, so a large backlog does not block Redis; meant for recovery, when nothing else writes. */
  async pending(): Promise<DeliveryRecord[]> {
    const stored = new Map<string, StoredDelivery>();
    let cursor = '0';
    do {
      const reply = await command(this.#redis, 'HSCAN', [this.#keys.deliveries, cursor, 'COUNT', CHUNK]);
      if (!Array.isArray(reply)) throw new TypeError('store: unexpected HSCAN reply');
      cursor = String(reply[0]);
      for (const [id, json] of pairs(reply[1])) stored.set(id, decodeDelivery(json));
    } while (cursor !== '0');
    const seqs = [...new Set([...stored.values()].map((d) => d.seq))];
    const events = new Map<number, string>();
    for (let i = 0; i < seqs.length; i += CHUNK) {
      const chunk = seqs.slice(i, i + CHUNK);
      optionalStrings(await command(this.#redis, 'HMGET', [this.#keys.journal, ...chunk])).forEach((json, j) => {
        if (json !== null) events.set(chunk[j] as number, json);
      });
    }
    const records: DeliveryRecord[] = [];
    for (const [id, d] of stored) {
      const json = events.get(d.seq);
      if (json !== undefined) records.push(toDeliveryRecord(id, d, decodeEvent(json)));
    }
    return records.sort(deliveryOrder);
  }

  async listDlq(filter: DlqFilter, page: { limit: number; offset?: number }): Promise<DlqEntry[]> {
    return dlq.listDlq(this.#redis, this.#keys, filter, checkLimit(page.limit), checkOffset(page.offset));
  }

  async countDlq(filter: DlqFilter): Promise<number> {
    return dlq.countDlq(this.#redis, this.#keys, filter);
  }

  async getDlq(id: string): Promise<DlqEntry | undefined> {
    return dlq.getDlq(this.#redis, this.#keys, id);
  }

  async purgeDlq(filter: DlqFilter): Promise<number> {
    return dlq.purgeDlq(this.#redis, this.#keys, filter);
  }

  async replayDlq(filter: DlqFilter, now: number): Promise<DeliveryRecord[]> {
    return dlq.replayDlq(this.#redis, this.#keys, filter, now);
  }

  /** `to` defaults to the wall clock: JournalQuery has no injected `now`. */
  async readJournal(query: JournalQuery): Promise<JournalEntry[]> {
    const limit = checkLimit(query.limit);
    if (limit === 0) return [];
    return journal.readJournal(this.#redis, this.#keys, query, limit, query.to ?? Date.now());
  }

  async redeliver(entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): Promise<DeliveryRecord[]> {
    return journal.redeliver(this.#redis, this.#keys, entries, now);
  }

  async prune(policy: RetentionPolicy, now: number): Promise<{ journal: number; dlq: number; dedup: number }> {
    return journal.prune(this.#redis, this.#keys, checkRetention(policy), now);
  }

  async kvGet(namespace: string, key: string, now: number): Promise<string | null> {
    return kv.kvGet(this.#redis, this.#keys, namespace, key, now);
  }

  async kvSet(namespace: string, key: string, value: string, ttlMs: number | null, now: number): Promise<void> {
    return kv.kvSet(this.#redis, this.#keys, namespace, key, value, ttlMs === null ? null : checkTtl(ttlMs), now);
  }

  async kvDelete(namespace: string, key: string, now: number): Promise<boolean> {
    return kv.kvDelete(this.#redis, this.#keys, namespace, key, now);
  }

  async kvIncr(namespace: string, key: string, by: number, now: number): Promise<number> {
    return kv.kvIncr(this.#redis, this.#keys, namespace, key, by, now);
  }

  async seen(key: string, ttlMs: number, now: number): Promise<boolean> {
    return kv.seen(this.#redis, this.#keys, key, checkTtl(ttlMs), now);
  }

  async forget(key: string): Promise<void> {
    return kv.forget(this.#redis, this.#keys, key);
  }

  async depth(): Promise<Record<string, number>> {
    const counts = pairs(await command(this.#redis, 'HGETALL', [this.#keys.depth]));
    return Object.fromEntries(counts.map(([plugin, n]) => [plugin, Number(n)]).filter(([, n]) => Number(n) > 0));
  }

  /** Deletes every key under the prefix (tests, uninstalling a host). */
  async destroyAll(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const reply = await command(this.#redis, 'SCAN', [cursor, 'MATCH', prefixPattern(this.#keys), 'COUNT', CHUNK]);
      if (!Array.isArray(reply)) throw new TypeError('store: unexpected SCAN reply');
      cursor = String(reply[0]);
      const found = strings(reply[1]);
      if (found.length > 0) deleted += Number(await command(this.#redis, 'UNLINK', found));
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    if (!this.#ownsClient || this.#redis.status === 'end') return;
    // QUIT waits for replies in flight; without a live connection there is nothing to wait for.
    if (this.#redis.status === 'ready') await this.#redis.quit();
    else this.#redis.disconnect();
  }
}
