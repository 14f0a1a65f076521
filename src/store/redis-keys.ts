// Every Redis key the store uses, under one prefix. Scripts receive all their
// keys through KEYS (never build them), so a prefix with a hash tag, e.g.
// "plexus:{host1}:", puts the whole store in one Redis Cluster slot.
export interface RedisKeys {
  readonly prefix: string;
  /** INCR counter: the last journal seq handed out. */
  readonly seq: string;
  /** Hash seq → envelope JSON. */
  readonly journal: string;
  /** Sorted set of seqs by acceptedAt (time-range reads, retention). */
  readonly journalAt: string;
  /** Sorted set of seqs by seq (paging in seq order across pruned gaps). */
  readonly journalSeq: string;
  /** Hash delivery id → stored delivery JSON (redis-codec.ts). */
  readonly deliveries: string;
  /** Hash delivery id → the host that runs it, where that is not the host its id names (adopted or replayed). */
  readonly runBy: string;
  /** Hash seq → number of pending deliveries of that event (prune keeps referenced events). */
  readonly refs: string;
  /** Hash plugin → number of pending deliveries. */
  readonly depth: string;
  /** Hash JSON [idempotencykey, plugin] → expiresAt, and its expiry index. */
  readonly dedup: string;
  readonly dedupAt: string;
  /** Hash id → DLQ metadata JSON; hash id → envelope; sorted set of ids by deadAt. */
  readonly dlq: string;
  readonly dlqEnvelopes: string;
  readonly dlqAt: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return Object.freeze({
    prefix,
    seq: `${prefix}journal:last-seq`,
    journal: `${prefix}journal`,
    journalAt: `${prefix}journal:by-time`,
    journalSeq: `${prefix}journal:by-seq`,
    deliveries: `${prefix}deliveries`,
    runBy: `${prefix}deliveries:run-by`,
    refs: `${prefix}deliveries:per-event`,
    depth: `${prefix}deliveries:per-plugin`,
    dedup: `${prefix}dedup`,
    dedupAt: `${prefix}dedup:by-expiry`,
    dlq: `${prefix}dlq`,
    dlqEnvelopes: `${prefix}dlq:envelopes`,
    dlqAt: `${prefix}dlq:by-time`,
  });
}

// Namespace and key are length-prefixed so ("a:b", "c") and ("a", "b:c") stay apart.
export function kvKey(keys: RedisKeys, namespace: string, key: string): string | Buffer {
  return keyEnding(`${keys.prefix}kv:${namespace.length}:${namespace}:`, key);
}

/** A host's lease: present while the host lives (it renews it), gone when it stopped. */
export function hostLeaseKey(keys: RedisKeys, host: string): string {
  return `${keys.prefix}hosts:${host}`;
}

export function seenKey(keys: RedisKeys, key: string): string | Buffer {
  return keyEnding(`${keys.prefix}seen:`, key);
}

// Keys that plugins (kv) and senders (webhook delivery ids) choose are any
// JavaScript string, and JSON.parse makes a lone surrogate of "\ud800".
// ioredis writes a string as UTF-8, with U+FFFD in its place, so "a\ud800",
// "a\udbff" and "a\ufffd" would be one Redis key. Such a key ends instead in
// a 0xFF byte, which no UTF-8 text contains, then its UTF-16 code units: no
// well-formed key (stored as it always was) can equal it, and no two such
// keys are equal. The SQLite store keeps them apart the same way (sqlite-sender-keys.ts).
const NOT_UTF8 = Buffer.from([0xff]);

function keyEnding(head: string, key: string): string | Buffer {
  if (key.isWellFormed()) return head + key;
  return Buffer.concat([Buffer.from(head), NOT_UTF8, Buffer.from(key, 'utf16le')]);
}

/** A SCAN MATCH pattern for every key under the prefix (glob characters in the prefix escaped). */
export function prefixPattern(keys: RedisKeys): string {
  return `${keys.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}
