// An in-process ReplayStore for tests and single-process hosts. Bounded: once
// full, the oldest ids are dropped first, which shortens their protection
// rather than letting a flood of distinct ids exhaust memory.
import type { ReplayStore } from './replay-guard.ts';

export interface InMemoryReplayStoreOptions {
  /** Default 100 000 ids. */
  maxEntries?: number;
  /** Epoch milliseconds; injected so expiry is testable without waiting. */
  clock?: () => number;
}

export class InMemoryReplayStore implements ReplayStore {
  // Map iteration order is insertion order, so the first entry is the oldest.
  readonly #expiresAt = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(options: InMemoryReplayStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#clock = options.clock ?? Date.now;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.#expiresAt.size;
  }

  async seen(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock();
    this.#dropExpiredHead(now);
    const expiresAt = this.#expiresAt.get(key);
    if (expiresAt !== undefined && expiresAt > now) return true;
    // Delete first so a re-recorded key moves to the young end of the order.
    this.#expiresAt.delete(key);
    this.#expiresAt.set(key, now + ttlMs);
    for (const oldest of this.#expiresAt.keys()) {
      if (this.#expiresAt.size <= this.#maxEntries) break;
      this.#expiresAt.delete(oldest);
    }
    return false;
  }

  async forget(key: string): Promise<void> {
    this.#expiresAt.delete(key);
  }

  /**
   * Amortised O(1) clean-up from the old end. With one TTL per source the head
   * expires first; a longer-lived head only delays clean-up, never correctness,
   * because lookups compare expiry themselves.
   */
  #dropExpiredHead(now: number): void {
    for (const [key, expiresAt] of this.#expiresAt) {
      if (expiresAt > now) return;
      this.#expiresAt.delete(key);
    }
  }
}
