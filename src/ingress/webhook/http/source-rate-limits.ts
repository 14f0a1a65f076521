// One token bucket per webhook source that configures `rateLimit`, charged
// by the event's priority (priority-cost.ts: critical 1 … low 4 tokens), so
// under a sender's burst its urgent events still get through more often.
// Sources are fixed at startup, so a plain map of buckets is bounded already.
import { PlexusError } from '@plexus/plugin-sdk';
import { PRIORITY_CLASS_COST, priorityCost } from '../../../delivery/priority-cost.ts';
import { TokenBucket } from '../../../delivery/rate-limiter.ts';
import type { WebhookSource } from '../source-config.ts';

/** The cheapest any event can be: below this a source cannot pass anything. */
const MIN_COST = PRIORITY_CLASS_COST.critical;
// Refill is float arithmetic: after waiting exactly the promised time a bucket may be a hair short.
const EPSILON = 1e-9;

export class SourceRateLimits {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(sources: Iterable<WebhookSource>, now: number) {
    for (const source of sources) {
      if (source.rateLimit) this.#buckets.set(source.name, new TokenBucket({ ratePerSecond: source.rateLimit.perSecond, burst: source.rateLimit.burst }, now));
    }
  }

  /**
   * Refuses a request when not even the cheapest event could pass, without
   * taking anything. Runs before the body is read or its signature computed,
   * so a sender over its limit costs little; only verified events take tokens,
   * so forged requests cannot drain a genuine sender's bucket.
   */
  precheck(source: string, now: number): void {
    const bucket = this.#buckets.get(source);
    if (!bucket) return;
    const tokens = bucket.tokensAt(now);
    if (tokens + EPSILON < MIN_COST) throw rateLimited(source, Math.ceil(((MIN_COST - tokens) * 1000) / bucket.limits.ratePerSecond));
  }

  /** Takes the event's cost, or throws PLEXUS_RATE_LIMITED (429) carrying retryAfterMs in its details. */
  take(source: string, priority: number | undefined, now: number): void {
    const result = this.#buckets.get(source)?.tryTake(priorityCost(priority), now);
    if (result && !result.ok) throw rateLimited(source, result.retryAfterMs);
  }

  /** Gives back what take() charged for an event that was not accepted after all (a replay, a store failure). */
  refund(source: string, priority: number | undefined, now: number): void {
    this.#buckets.get(source)?.refund(priorityCost(priority), now);
  }
}

function rateLimited(source: string, retryAfterMs: number): PlexusError {
  return new PlexusError('PLEXUS_RATE_LIMITED', `source ${source} is over its rate limit; retry in ${retryAfterMs} ms`, { details: { retryAfterMs } });
}

/** Retry-After in whole seconds (RFC 9110 §10.2.3), rounded up so a retry is never early, at least 1. */
export function retryAfterSeconds(error: PlexusError): number | undefined {
  const ms = error.details?.retryAfterMs;
  return typeof ms === 'number' ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
}
