// Loads the host's configuration: the file (YAML or JSON, optional), env
// references resolved, env overrides and CLI flags on top, validated against
// the schema, merged over the embedded default. Precedence, lowest first:
// default < file < env (PLEXUS_STATE_DIR, PLEXUS_ADMIN_TOKEN, PLEXUS_LOG_LEVEL) < flags.
import { dirname, resolve } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import { formatProblems, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import { DEFAULT_LOG_LEVEL, type LogLevel } from '../observability/log-level.ts';
import type { ConfigDocument } from './config-schema.ts';
import { resolveEnvReferences, type EnvMap } from './env-references.ts';
import type { HostConfig } from './host-config.ts';
import { readConfigFile } from './read-config-file.ts';
import { toHostConfig } from './to-host-config.ts';
import { compileConfigValidator } from './validate-config.ts';

export interface ConfigFlags {
  stateDir?: string | undefined;
  listen?: string | undefined;
  adminListen?: string | undefined;
}

export interface LoadConfigOptions {
  /** The --config file; without one, the embedded default. */
  file?: string | undefined;
  /** Where `${NAME}` references and the PLEXUS_* overrides come from (process.env in production). */
  env: EnvMap;
  flags?: ConfigFlags;
  /** Relative flag and env paths resolve from here; default: process.cwd(). */
  cwd?: string;
}

export interface LoadedConfig {
  host: HostConfig;
  logLevel: LogLevel;
  /** Absolute path of the file that was read. */
  file?: string;
  /** Where the admin token came from, when it was not left to the state dir. */
  adminTokenOrigin?: string;
}

/** The env variables that override the file, and the field each sets. */
const ENV_OVERRIDES = [
  ['PLEXUS_STATE_DIR', 'stateDir'],
  ['PLEXUS_ADMIN_TOKEN', 'adminToken'],
  ['PLEXUS_LOG_LEVEL', 'logLevel'],
] as const;

const FLAG_OVERRIDES = [
  ['--state-dir', 'stateDir'],
  ['--listen', 'listen'],
  ['--admin-listen', 'adminListen'],
] as const;

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? undefined : resolve(cwd, options.file);
  const parsed = file === undefined ? {} : ((await readConfigFile(file)) ?? {});
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidConfig(file, [{ path: '(root)', message: 'must be a mapping of settings' }]);

  const resolved = resolveEnvReferences(parsed, options.env);
  if (resolved.problems.length > 0) throw invalidConfig(file, resolved.problems);
  const doc = resolved.value as Record<string, unknown>;

  // Which top-level field an override set, so a problem with it names the env variable or flag, not the file.
  const origins = new Map<string, string>();
  for (const [name, field] of ENV_OVERRIDES) {
    const value = options.env[name];
    if (value !== undefined && value !== '') set(doc, origins, field, value, name);
  }
  for (const [flag, field] of FLAG_OVERRIDES) {
    const value = options.flags?.[field];
    if (value !== undefined) set(doc, origins, field, value, flag);
  }

  const problems = compileConfigValidator().validate(doc);
  if (problems.length > 0) throw invalidConfig(file, problems.map((p) => (origins.has(p.path) ? { ...p, message: `${p.message} (from ${origins.get(p.path)})` } : p)));

  const valid = doc as ConfigDocument;
  const fileDir = file === undefined ? cwd : dirname(file);
  const host = toHostConfig(valid, { stateDir: origins.has('stateDir') ? cwd : fileDir, storePath: fileDir });
  const loaded: LoadedConfig = { host, logLevel: valid.logLevel ?? DEFAULT_LOG_LEVEL };
  if (file !== undefined) loaded.file = file;
  if (valid.adminToken !== undefined) loaded.adminTokenOrigin = origins.get('adminToken') ?? 'the config file';
  return loaded;
}

function set(doc: Record<string, unknown>, origins: Map<string, string>, field: string, value: string, origin: string): void {
  doc[field] = value;
  origins.set(field, origin);
}

function invalidConfig(file: string | undefined, problems: FieldProblem[]): PlexusError {
  const where = file === undefined ? '' : ` in ${file}`;
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Invalid config${where}: ${formatProblems(problems)}`, { details: { ...(file === undefined ? {} : { file }), problems } });
}
