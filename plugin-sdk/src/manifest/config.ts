// Operator config against the plugin's own JSON Schema: defaults applied,
// result deep-frozen, refusals name the failing path (CONTRACT §2).
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { PlexusError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { createAjv, describeAjvErrors, formatProblems } from './ajv.ts';

const ACCEPT_ANY = { type: 'object' } as const;
const MAX_CACHED_SCHEMAS = 256;

/**
 * Compiled config validators by schema text. Building an ajv and compiling is
 * the dearest step of loading a plugin (~20 ms); a host reloading plugins
 * (every upgrade, grant or config change) keeps one of these. Each distinct
 * schema still gets an ajv of its own: third-party schemas must not share $id space.
 */
export class ConfigValidators {
  private readonly compiled = new Map<string, ValidateFunction>();

  get(schema: JsonObject | undefined): ValidateFunction {
    const text = JSON.stringify(schema ?? ACCEPT_ANY);
    let validate = this.compiled.get(text);
    if (!validate) {
      validate = createAjv({ useDefaults: true }).compile(schema ?? ACCEPT_ANY);
      if (this.compiled.size >= MAX_CACHED_SCHEMAS) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(text, validate);
    }
    return validate;
  }
}

export function validatePluginConfig(name: string, schema: JsonObject | undefined, config: unknown, validators: ConfigValidators = new ConfigValidators()): JsonObject {
  let validate;
  try {
    validate = validators.get(schema);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${name}: plexus.config is not a usable JSON Schema: ${(err as Error).message}`);
  }
  // An "$async" schema compiles to a validator that answers a promise: always truthy, so every
  // config would pass and a refusal would reject unhandled. The manifest check refuses such
  // schemas; this guards a schema that reached here another way.
  if ((validate as { $async?: unknown }).$async === true) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${name}: plexus.config must not be an "$async" schema: config is checked synchronously`);
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
