// Operator config against the plugin's own JSON Schema: defaults applied,
// result deep-frozen, refusals name the failing path (CONTRACT §2).
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { PlexusError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { createAjv, describeAjvErrors, formatProblems } from './ajv.ts';
import { DeadlineCall } from './deadline-call.ts';

const ACCEPT_ANY = { type: 'object' } as const;
const MAX_CACHED_SCHEMAS = 256;
/** Real configs are checked in well under 10 ms; past this a schema's regular expression is running away. */
export const CONFIG_CHECK_TIMEOUT_MS = 1000;

/**
 * Compiled config validators by schema text. Building an ajv and compiling is
 * the dearest step of loading a plugin (~20 ms); a host reloading plugins
 * (every upgrade, grant or config change) keeps one of these. Each distinct
 * schema still gets an ajv of its own: third-party schemas must not share $id space.
 */
export class ConfigValidators {
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Where the (plugin-authored) validators run, under CONFIG_CHECK_TIMEOUT_MS. */
  readonly deadline = new DeadlineCall();

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

/**
 * The compiled validator, or PLEXUS_INVALID_MANIFEST for a schema that passes the
 * meta-schema but cannot compile (a "$ref" to nowhere, a "pattern" that is not a
 * regular expression). `plexus-plugin build` calls this too, so it refuses what a host would.
 */
export function compileConfigSchema(name: string, schema: JsonObject | undefined, validators: ConfigValidators = new ConfigValidators()): ValidateFunction {
  try {
    return validators.get(schema);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${name}: plexus.config is not a usable JSON Schema: ${(err as Error).message}`);
  }
}

export function validatePluginConfig(name: string, schema: JsonObject | undefined, config: unknown, validators: ConfigValidators = new ConfigValidators()): JsonObject {
  const validate = compileConfigSchema(name, schema, validators);
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
  const checked = validators.deadline.run(validate, copy, CONFIG_CHECK_TIMEOUT_MS);
  if (checked === 'timeout') {
    const message = `checking it against the plugin's schema took over ${CONFIG_CHECK_TIMEOUT_MS} ms and was stopped (a "pattern" in plexus.config that backtracks catastrophically?)`;
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${name}: invalid config: ${message}`, { details: { problems: [{ path: 'config', message }] } });
  }
  if (!checked.value) {
    const problems = describeAjvErrors(validate.errors, 'config');
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${name}: invalid config: ${formatProblems(problems)}`, { details: { problems } });
  }
  return deepFreeze(copy);
}

/** Freezes `value` and everything reachable from it. Iterative: JSON nested deeper than the stack (a config, a packument a publisher sent) cannot overflow it. */
export function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'object' && next !== null && !Object.isFrozen(next)) {
      Object.freeze(next);
      for (const child of Object.values(next)) pending.push(child);
    }
  }
  return value;
}
