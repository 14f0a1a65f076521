// The building blocks every section of the config schema is made of
// (config-schema.ts, the brokers and egress sections): one definition, so a
// "positive integer" or a "duration" means the same thing in every section.
// A leaf module: the section schemas import it, it imports nothing.

export const text = { type: 'string', minLength: 1 } as const;
export const positiveInteger = { type: 'integer', minimum: 1 } as const;
export const topicPattern = { type: 'string', minLength: 1, maxLength: 255 } as const;

/**
 * The longest delay Node's timers keep (2^31 - 1 ms, about 24.8 days): a
 * longer one fires after 1 ms, so a 4-week shutdown timeout would force the
 * exit at once and a 25-day retry delay would spin.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Marks a duration that becomes a timer's delay; the validator checks its string form against MAX_TIMER_MS. */
export const TIMER_KEYWORD = 'plexusTimer';

/**
 * Milliseconds, or a string such as "30s" or "24h" checked by the named
 * format. `timer`: the value is waited for with a timer (a delay, a timeout),
 * so it may not exceed MAX_TIMER_MS; windows compared with timestamps
 * (retention, dedup) may.
 */
export function durationSchema(format: string, kind: 'window' | 'timer') {
  const base = { type: ['integer', 'string'], minimum: 0, format } as const;
  return kind === 'timer' ? { ...base, maximum: MAX_TIMER_MS, [TIMER_KEYWORD]: true } : base;
}

/** An object that refuses unknown keys: a typo must not silently fall back to a default. */
export function section(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, required } as const;
}
