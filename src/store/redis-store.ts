// The store for hosts that share state (CONTRACT §6): Redis through ioredis,
// every key under one prefix. Write batches are single Lua scripts (atomic);
// durability is whatever the Redis server is configured for (AOF with
// appendfsync everysec or always for at-least-once across a Redis restart).
import type { Redis } from 'ioredis';
import { PlexusError } from '@plexus/plugin-sdk';
import type {
  AcceptInput, AcceptResult, DeliveryRecord, DlqEntry, DlqFilter, JournalEntry, JournalQuery, RetentionPolicy, Settlement, Store,
} from './store.ts';
import { command, pairs } from './redis-commands.ts';
import { hostLeaseKey, prefixPattern, redisKeys, type RedisKeys } from './redis-keys.ts';
import { writeBatch } from './redis-batch.ts';
import { adopt, allDeliveries, records } from './redis-adopt.ts';
import { HostLease, LEASE_MS, type LeaseLog } from './redis-lease.ts';
import { isHostId, newHostId } from './host-ids.ts';
import * as dlq from './redis-dlq.ts';
import * as journal from './redis-journal.ts';
import * as kv from './redis-kv.ts';
import { checkClaims, checkDedupWindow, checkLimit, checkOffset, checkRetention, checkTtl } from './store-args.ts';
import { ConnectionErrorLog, type RedisStoreLog } from './redis-connection-log.ts';

export interface RedisStoreOptions {
  /** Default redis://127.0.0.1:6379. Ignored when `redis` is given. */
  url?: string;
  /** Non-empty; every key starts with it. Put a hash tag in it for Redis Cluster. */
  prefix: string;
  /** A client the caller owns: close() leaves it open. */
  redis?: Redis;
  /** This host's id (src/store/host-ids.ts): the deliveries it runs, and its lease. Random when absent. */
  host?: string;
  /** How long the host's lease lasts unrenewed (redis-lease.ts); default LEASE_MS. Short in tests. */
  leaseMs?: number;
  /**
   * Where the lease reports a wait for a crashed predecessor's lease and a lease lost to another
   * process, and where an owned client reports its connection errors; default process warnings.
   */
  log?: RedisStoreLog;
}

/**
 * Without a logger, what the store reports still reaches stderr, as process
 * warnings with `code`; `withFields`: the fields after the message.
 */
function processWarnings(code: string, withFields: boolean): RedisStoreLog {
  const emit = (fields: object, message: string): void => process.emitWarning(withFields ? `${message} ${JSON.stringify(fields)}` : message, { code });
  return { warn: emit, error: emit };
}

/** The lease's waits and losses. */
const WARNINGS = processWarnings('PLEXUS_INVALID_CONFIG', false);
/** Connection errors (rate-limited like log lines). */
const CONNECTION_WARNINGS = processWarnings('PLEXUS_UNAVAILABLE', true);

const CHUNK = 1000;

export class RedisStore implements Store {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ownsClient: boolean;
  /** The host this store acts for: it runs the deliveries its id names, and holds a lease while it lives. */
  readonly host: string;
  #lease: HostLease | undefined;

  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    if (options.prefix.length === 0) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'RedisStore: prefix must not be empty');
    const host = options.host ?? newHostId();
    if (!isHostId(host)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `RedisStore: host must be 8-32 lowercase hex digits, got ${JSON.stringify(host)}`);
    const leaseMs = options.leaseMs ?? LEASE_MS;
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 30) throw new PlexusError('PLEXUS_INVALID_REQUEST', `RedisStore: leaseMs must be an integer of at least 30, got ${leaseMs}`);
    const lease = { ms: leaseMs, log: options.log ?? WARNINGS };
    if (options.redis !== undefined) return RedisStore.#leased(new RedisStore(options.redis, options.prefix, false, host), lease);
    const url = options.url ?? 'redis://127.0.0.1:6379';
    // Imported here, not with the host (redis-client-options.ts says why).
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true });
    const errors = new ConnectionErrorLog(options.log ?? CONNECTION_WARNINGS, url);
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
      throw new PlexusError('PLEXUS_UNAVAILABLE', `cannot connect to Redis: ${errors.redact(cause)}`, { cause });
    } finally {
      redis.off('error', remember);
    }
    // From here on, for the client's whole life: ioredis reconnects by itself, and reports each failed attempt.
    redis.on('error', (err: unknown) => errors.error(err));
    redis.on('ready', () => errors.ready());
    return RedisStore.#leased(new RedisStore(redis, options.prefix, true, host), lease);
  }

  /** Takes the host's lease (refused while another live process holds it) and keeps renewing it until close(). */
  static async #leased(store: RedisStore, lease: { ms: number; log: LeaseLog }): Promise<RedisStore> {
    try {
      store.#lease = await HostLease.take(store.#redis, hostLeaseKey(store.#keys, store.host), store.host, lease.ms, lease.log);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private constructor(redis: Redis, prefix: string, ownsClient: boolean, host: string) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix);
    this.#ownsClient = ownsClient;
    this.host = host;
  }

  async accept(inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(inputs);
    if (inputs.length === 0) return { created: [], duplicates: 0 };
    return writeBatch(this.#redis, this.#keys, this.host, [], inputs, dedupWindowMs);
  }

  async settle(settlements: Settlement[], emitted: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult> {
    checkDedupWindow(dedupWindowMs);
    checkClaims(emitted);
    if (settlements.length === 0 && emitted.length === 0) return { created: [], duplicates: 0 };
    return writeBatch(this.#redis, this.#keys, this.host, settlements, emitted, dedupWindowMs);
  }

  async pending(): Promise<DeliveryRecord[]> {
    return records(this.#redis, this.#keys, [...(await allDeliveries(this.#redis, this.#keys))]);
  }

  async adopt(options: { own: boolean }): Promise<DeliveryRecord[]> {
    return adopt(this.#redis, this.#keys, this.host, options.own);
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
    return dlq.replayDlq(this.#redis, this.#keys, this.host, filter, now);
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
      // As bytes: a key that is not UTF-8 text (redis-keys.ts) read as a string would name another key.
      const reply = await this.#redis.callBuffer('SCAN', [cursor, 'MATCH', prefixPattern(this.#keys), 'COUNT', CHUNK]);
      if (!Array.isArray(reply) || !Array.isArray(reply[1]) || !reply[1].every((key) => Buffer.isBuffer(key))) throw new TypeError('store: unexpected SCAN reply');
      cursor = String(reply[0]);
      const found = reply[1] as Buffer[];
      if (found.length > 0) deleted += Number(await command(this.#redis, 'UNLINK', found));
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    this.#lease?.stop();
    // Given up at once (if still ours), so other hosts may adopt what this one leaves pending without waiting out the lease.
    if (this.#redis.status === 'ready') await this.#lease?.release().catch(() => undefined);
    if (!this.#ownsClient || this.#redis.status === 'end') return;
    // QUIT waits for replies in flight; without a live connection there is nothing to wait for.
    if (this.#redis.status === 'ready') await this.#redis.quit();
    else this.#redis.disconnect();
  }
}
