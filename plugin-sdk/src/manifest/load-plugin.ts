// From a plugin package on disk to the spec the sandbox runs: every check of
// CONTRACT §2 in order (manifest, API range, config schema and config, grants,
// limits under the operator's ceiling), each failing with its own code.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlexusError } from '../errors.ts';
import { HOST_API_VERSION } from '../plugin-api.ts';
import type { SandboxLimits, PluginRuntimeSpec } from '../sandbox/protocol.ts';
import type { JsonObject, PluginPackageJson } from '../types.ts';
import { assertApiCompatible } from './api-compat.ts';
import { validatePluginConfig, type ConfigValidators } from './config.ts';
import { effectiveCapabilities, parseGrants, type EffectiveCapabilities } from './grants.ts';
import { configSchemaProblem, isSafeRelativePath, validatePackageJson } from './validate-manifest.ts';

export const DEFAULT_LIMITS: SandboxLimits = Object.freeze({
  memoryMb: 64,
  timeoutMs: 2000,
  maxEmitBytes: 256 * 1024,
  maxEmitsPerEvent: 100,
  maxKvValueBytes: 64 * 1024,
  maxLogsPerCall: 100,
  fetch: Object.freeze({ maxResponseBytes: 5 * 1024 * 1024, maxRequestBytes: 1024 * 1024, timeoutMs: 10_000, maxRedirects: 5, allowPrivateNetwork: false }),
});

/** The operator's ceiling: a plugin may ask for less, never for more. */
export interface LimitCeiling {
  memoryMb: number;
  timeoutMs: number;
}

export const DEFAULT_CEILING: LimitCeiling = Object.freeze({ memoryMb: 256, timeoutMs: 30_000 });

export interface LoadPluginOptions {
  config?: unknown;
  grants?: readonly string[];
  /** Secret values available to the host; only granted, requested ones reach the plugin. */
  secrets?: Readonly<Record<string, string | undefined>>;
  hostApiVersion?: string;
  ceiling?: LimitCeiling;
  /** Host-wide overrides of the non-memory/time limits (emit size, fetch bounds...). */
  limits?: Partial<Omit<SandboxLimits, 'memoryMb' | 'timeoutMs'>>;
  /** Reuse compiled config validators across loads (a host reloading plugins keeps one). */
  validators?: ConfigValidators;
}

export interface LoadedPlugin {
  pkg: PluginPackageJson;
  configSchema: JsonObject | undefined;
  spec: PluginRuntimeSpec;
}

export async function readPackageJson(root: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(root, 'package.json'), 'utf8');
  } catch {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `no package.json in ${root}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `package.json is not valid JSON: ${(err as Error).message}`);
  }
}

export async function readConfigSchema(root: string, pkg: PluginPackageJson): Promise<JsonObject | undefined> {
  const config = pkg.plexus.config;
  if (config === undefined || typeof config === 'object') return config;
  if (!isSafeRelativePath(config)) throw new PlexusError('PLEXUS_INVALID_MANIFEST', 'plexus.config must be a path inside the package');
  let schema: unknown;
  try {
    schema = JSON.parse(await readFile(join(root, config), 'utf8'));
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `plexus.config: cannot read ${config}: ${(err as Error).message}`);
  }
  // The same checks as an inline schema gets (validate-manifest.ts), so `plexus-plugin build` refuses what a host would.
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new PlexusError('PLEXUS_INVALID_MANIFEST', `plexus.config: ${config} is not a JSON Schema object`);
  const why = configSchemaProblem(schema);
  if (why !== undefined) throw new PlexusError('PLEXUS_INVALID_MANIFEST', `plexus.config (${config}) ${why}`);
  return schema as JsonObject;
}

export async function loadPlugin(root: string, options: LoadPluginOptions = {}): Promise<LoadedPlugin> {
  const pkg = validatePackageJson(await readPackageJson(root));
  assertApiCompatible(pkg.name, pkg.plexus.apiVersion, options.hostApiVersion ?? HOST_API_VERSION);
  const configSchema = await readConfigSchema(root, pkg);
  const config = validatePluginConfig(pkg.name, configSchema, options.config ?? {}, options.validators);
  const capabilities = effectiveCapabilities(pkg.plexus.capabilities, parseGrants(options.grants ?? []));
  const secrets = pickSecrets(capabilities, options.secrets ?? {});
  const limits = resolveLimits(pkg, options);
  const key = specKey(pkg, root, config, capabilities, secrets, limits);
  return { pkg, configSchema, spec: { key, name: pkg.name, version: pkg.version, root, main: pkg.plexus.main, config, capabilities, secrets, limits } };
}

export function resolveLimits(pkg: PluginPackageJson, options: Pick<LoadPluginOptions, 'ceiling' | 'limits'>): SandboxLimits {
  const ceiling = options.ceiling ?? DEFAULT_CEILING;
  const asked = pkg.plexus.limits ?? {};
  return {
    ...DEFAULT_LIMITS,
    ...options.limits,
    memoryMb: Math.min(asked.memoryMb ?? DEFAULT_LIMITS.memoryMb, ceiling.memoryMb),
    timeoutMs: Math.min(asked.timeoutMs ?? DEFAULT_LIMITS.timeoutMs, ceiling.timeoutMs),
    fetch: { ...DEFAULT_LIMITS.fetch, ...options.limits?.fetch },
  };
}

function pickSecrets(caps: EffectiveCapabilities, available: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of caps.secrets) {
    const value = available[name];
    if (typeof value === 'string') secrets[name] = value;
  }
  return secrets;
}

/** Instances are cached by this key, so anything that changes behaviour must change it. */
function specKey(pkg: PluginPackageJson, root: string, ...parts: unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify([root, ...parts])).digest('hex').slice(0, 16);
  return `${pkg.name}@${pkg.version}#${digest}`;
}
