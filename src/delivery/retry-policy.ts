// Retry policy (CONTRACT §6): defaults max 3 retries, 1 s initial, ×2, 60 s
// cap, overridable per host and then per plugin. The most specific layer that
// sets a field wins; an unset (undefined) field falls through.
import { PlexusError } from '@plexus/plugin-sdk';

export interface RetryPolicy {
  /** Retries after the first attempt; 0 means one attempt only. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly multiplier: number;
  /** No delay ever exceeds this. */
  readonly maxDelayMs: number;
}

export type RetryOptions = { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxRetries: 3, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000 });

const RULES: { readonly [K in keyof RetryPolicy]: { readonly ok: (v: number) => boolean; readonly expected: string } } = {
  maxRetries: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'an integer >= 0' },
  initialDelayMs: { ok: (v) => Number.isFinite(v) && v >= 0, expected: 'a finite number >= 0' },
  multiplier: { ok: (v) => Number.isFinite(v) && v >= 1, expected: 'a finite number >= 1' },
  maxDelayMs: { ok: (v) => Number.isFinite(v) && v >= 0, expected: 'a finite number >= 0' },
};

/** Merges the defaults, the host's options and the plugin's; PLEXUS_INVALID_CONFIG names a bad field. */
export function resolveRetryPolicy(layers: { readonly host?: RetryOptions; readonly plugin?: RetryOptions } = {}): RetryPolicy {
  const merged: Record<string, number> = { ...DEFAULT_RETRY_POLICY };
  for (const [layer, options] of Object.entries(layers)) {
    for (const [field, value] of Object.entries(options ?? {})) {
      if (value === undefined) continue;
      if (!Object.hasOwn(RULES, field)) throw invalidRetry(`${layer}.retry.${field} is not a retry option`, layer, field);
      const rule = RULES[field as keyof RetryPolicy];
      if (typeof value !== 'number' || !rule.ok(value)) throw invalidRetry(`${layer}.retry.${field} must be ${rule.expected}`, layer, field);
      merged[field] = value;
    }
  }
  return Object.freeze(merged as unknown as RetryPolicy);
}

function invalidRetry(message: string, layer: string, field: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Invalid retry policy: ${message}`, { details: { path: `${layer}.retry.${field}` } });
}
