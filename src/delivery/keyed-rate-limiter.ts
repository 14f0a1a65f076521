// One token bucket per key (per source, per plugin, ...) with bounded memory:
// at most `maxKeys` buckets, least recently used evicted first. The LRU key
// is the one idle longest and so almost always already full again, and a
// full bucket is the same as a fresh one: evicting it forgets nothing. Only a
// flood of more than `maxKeys` distinct keys can evict a partly drained
// bucket; that key then starts full again, a bounded leniency that is the
// price of bounded memory.
import { PlexusError } from '@plexus/plugin-sdk';
import { TokenBucket, assertBucketLimits, type BucketLimits, type TakeResult } from './rate-limiter.ts';

export interface KeyedRateLimiterOptions {
  readonly limits: BucketLimits;
  readonly maxKeys: number;
  /** Per-key limits (e.g. a plugin's own), read when the key's bucket is created. */
  readonly limitsFor?: (key: string) => BucketLimits | undefined;
}

export class KeyedRateLimiter {
  readonly #options: KeyedRateLimiterOptions;
  // A Map iterates in insertion order; re-inserting on use makes it an LRU list.
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: KeyedRateLimiterOptions) {
    assertBucketLimits(options.limits);
    if (!(Number.isSafeInteger(options.maxKeys) && options.maxKeys >= 1)) {
      throw new PlexusError('PLEXUS_INVALID_CONFIG', 'Invalid rate limit: maxKeys must be an integer >= 1');
    }
    this.#options = options;
  }

  tryTake(key: string, cost: number, now: number): TakeResult {
    let bucket = this.#buckets.get(key);
    if (bucket) this.#buckets.delete(key);
    else {
      this.#evictFor(1);
      bucket = new TokenBucket(this.#options.limitsFor?.(key) ?? this.#options.limits, now);
    }
    this.#buckets.set(key, bucket);
    return bucket.tryTake(cost, now);
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Forgets every bucket that has refilled completely; returns how many. */
  prune(now: number): number {
    let pruned = 0;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFullAt(now)) {
        this.#buckets.delete(key);
        pruned++;
      }
    }
    return pruned;
  }

  #evictFor(incoming: number): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size + incoming <= this.#options.maxKeys) return;
      this.#buckets.delete(key);
    }
  }
}
