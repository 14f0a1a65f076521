// Exponential backoff with FULL jitter: delay = random × min(cap, initial × multiplier^(n-1)).
// Why full jitter rather than decorrelated: it is stateless (the attempt
// number, which the delivery record keeps anyway, is all it needs, so a
// retry rescheduled on another worker or after a restart computes the same
// distribution), it spreads a burst of failures over the whole window, which
// is what breaks up retry storms against a recovering plugin or API, and its
// bounds are trivially [0, cap]. Decorrelated jitter needs the previous
// delay carried from attempt to attempt and can only be capped after the fact.
import type { RetryPolicy } from './retry-policy.ts';

export type RetryDecision = { readonly delayMs: number } | 'exhausted';

/** A source of uniform numbers in [0, 1), like Math.random; injected for deterministic tests. */
export type Random = () => number;

/** The upper bound of the delay before retry number `attempt` (1-based), never above the cap. */
export function backoffCeiling(attempt: number, policy: RetryPolicy): number {
  // Zero grows to zero: past ~1024 attempts the power is Infinity, and 0 × Infinity is NaN (a retry never due).
  if (policy.initialDelayMs === 0) return 0;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
}

/**
 * `attempt` is the 1-based number of the attempt that just failed. Attempt 1
 * is the first delivery, so with maxRetries 3 attempts 1-3 get a delay and
 * attempt 4 is the last: after it, 'exhausted'.
 */
export function nextRetry(attempt: number, policy: RetryPolicy, random: Random): RetryDecision {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (attempt > policy.maxRetries) return 'exhausted';
  const ceiling = backoffCeiling(attempt, policy);
  // Clamp a misbehaving source (NaN, negative, ≥ 1) instead of leaving [0, ceiling].
  const r = random();
  const unit = r > 0 ? Math.min(r, 1) : 0;
  return { delayMs: Math.min(Math.floor(unit * ceiling), ceiling) };
}
