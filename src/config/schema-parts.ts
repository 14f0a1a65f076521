// The building blocks every section of the config schema is made of
// (config-schema.ts, the brokers and egress sections): one definition, so a
// "positive integer" or a "duration" means the same thing in every section.
// A leaf module: the section schemas import it, it imports nothing.

export const text = { type: 'string', minLength: 1 } as const;
export const positiveInteger = { type: 'integer', minimum: 1 } as const;
export const topicPattern = { type: 'string', minLength: 1, maxLength: 255 } as const;

/** Milliseconds, or a string such as "30s" or "24h" checked by the named format. */
export function durationSchema(format: string) {
  return { type: ['integer', 'string'], minimum: 0, format } as const;
}

/** An object that refuses unknown keys: a typo must not silently fall back to a default. */
export function section(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, required } as const;
}
