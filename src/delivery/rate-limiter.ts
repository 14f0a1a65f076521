// A token bucket: `burst` tokens at most, refilled continuously at
// `ratePerSecond`. Time is passed in, never read, so decisions are
// reproducible and the same bucket works for real and simulated clocks.
import { PlexusError } from '@plexus/plugin-sdk';

export interface BucketLimits {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

// Float refill can land a hair under the cost after waiting exactly
// retryAfterMs; the tolerance keeps that promise without granting real tokens.
const EPSILON = 1e-9;

export function assertBucketLimits(limits: BucketLimits): void {
  const { ratePerSecond, burst } = limits;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) throw invalidLimits('ratePerSecond must be a finite number > 0');
  if (!(Number.isFinite(burst) && burst >= 1)) throw invalidLimits('burst must be a finite number >= 1');
}

export class TokenBucket {
  readonly limits: BucketLimits;
  #tokens: number;
  #updatedAt: number;

  /** Starts full: a new source may burst right away. */
  constructor(limits: BucketLimits, now: number) {
    assertBucketLimits(limits);
    this.limits = Object.freeze({ ...limits });
    this.#tokens = limits.burst;
    this.#updatedAt = now;
  }

  /**
   * Takes `cost` tokens or says how long until they will be there. A cost
   * above `burst` is charged `burst`: otherwise it could never pass.
   */
  tryTake(cost: number, now: number): TakeResult {
    if (!(Number.isFinite(cost) && cost > 0)) throw new RangeError(`cost must be a finite number > 0, got ${cost}`);
    const charge = Math.min(cost, this.limits.burst);
    this.#refill(now);
    if (this.#tokens + EPSILON >= charge) {
      this.#tokens = Math.max(0, this.#tokens - charge);
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((charge - this.#tokens) * 1000) / this.limits.ratePerSecond) };
  }

  /** Gives back what tryTake charged for `cost`, for work that was not done after all (never above `burst`). */
  refund(cost: number, now: number): void {
    if (!(Number.isFinite(cost) && cost > 0)) throw new RangeError(`cost must be a finite number > 0, got ${cost}`);
    this.#refill(now);
    this.#tokens = Math.min(this.limits.burst, this.#tokens + Math.min(cost, this.limits.burst));
  }

  tokensAt(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** A full bucket is indistinguishable from a new one, so it can be forgotten. */
  isFullAt(now: number): boolean {
    return this.tokensAt(now) + EPSILON >= this.limits.burst;
  }

  #refill(now: number): void {
    // A clock that steps back refills nothing, and the mark moves back with it:
    // kept at the old time, a bucket fed the wall clock refilled nothing until
    // the clock caught up (a webhook source got 429 for an hour after a
    // one-hour step). A clock jumping back and forth can so mint at most one
    // burst per jump; the engine's own buckets read a clock that never steps back.
    if (now < this.#updatedAt) this.#updatedAt = now;
    if (now === this.#updatedAt) return;
    this.#tokens = Math.min(this.limits.burst, this.#tokens + ((now - this.#updatedAt) * this.limits.ratePerSecond) / 1000);
    this.#updatedAt = now;
  }
}

function invalidLimits(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Invalid rate limit: ${message}`);
}
