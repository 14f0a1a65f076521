// Operator config against the plugin's own JSON Schema: defaults applied,
// result deep-frozen, refusals name the failing path (CONTRACT §2).
import { PlexusError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { createAjv, describeAjvErrors, formatProblems } from './ajv.ts';

const ACCEPT_ANY = { type: 'object' } as const;

export function validatePluginConfig(name: string, schema: JsonObject | undefined, config: unknown): JsonObject {
  // Each plugin gets its own ajv: schemas from third parties must not share $id space.
  const ajv = createAjv({ useDefaults: true });
  let validate;
  try {
    validate = ajv.compile(schema ?? ACCEPT_ANY);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${name}: plexus.config is not a usable JSON Schema: ${(err as Error).message}`);
  }
  const copy = structuredClone(config ?? {}) as JsonObject;
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${name}: config must be a JSON object`, { details: { problems: [{ path: 'config', message: 'must be an object' }] } });
  }
  if (!validate(copy)) {
    const problems = describeAjvErrors(validate.errors, 'config');
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${name}: invalid config: ${formatProblems(problems)}`, { details: { problems } });
  }
  return deepFreeze(copy);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
