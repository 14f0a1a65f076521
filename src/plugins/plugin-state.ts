// Installed plugins live in one JSON file under the state dir that an
// operator can read, diff and keep under version control: name, version,
// where its package is, grants, config, enabled, and an upgrade waiting for
// grants. Written atomically and durably (a power cut leaves the old file or
// the new one, never an empty one); roots are relative to the state dir so
// the folder can move. Read back checked: an operator may edit it by hand.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JsonObject } from '@plexus/plugin-sdk';
import { PlexusError } from '@plexus/plugin-sdk';
import { writeFileAtomic } from '@plexus/plugin-sdk/runtime';
import type { RetryOptions } from '../delivery/retry-policy.ts';
import { isPackageName } from './package-spec.ts';

export interface InstalledPlugin {
  name: string;
  version: string;
  /** Folder of the extracted package. */
  root: string;
  enabled: boolean;
  grants: string[];
  config: JsonObject;
  retry?: RetryOptions;
  concurrency?: number;
  rateLimit?: { ratePerSecond: number; burst: number };
  /** SRI of the installed tarball. */
  integrity?: string;
  /** What it was installed from: `name@version from <registry>`, a folder or a .tgz. */
  source?: string;
  /** A newer (or older) version that asks for capabilities not granted yet: installed, not active. */
  pending?: PendingVersion;
}

/** Held back until the operator grants what it asks for (CONTRACT §4); the active version keeps serving. */
export interface PendingVersion {
  version: string;
  root: string;
  integrity: string;
  source: string;
  config: JsonObject;
  /** Grants it needs beyond what the active version was already running without. */
  missingGrants: string[];
}

export interface PluginStateFile {
  version: 1;
  plugins: InstalledPlugin[];
}

/** Where a state dir keeps its plugins.json. */
export function pluginStatePath(stateDir: string): string {
  return join(stateDir, 'plugins.json');
}

export async function readPluginState(path: string): Promise<PluginStateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, plugins: [] };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${path} is not valid JSON (${(err as Error).message}): fix it, or restore it from version control`, { details: { path } });
  }
  const problems = stateProblems(parsed);
  if (problems.length > 0) {
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `${path} is not a Plexus plugin state file (version 1): ${problems.join('; ')}`, { details: { path, problems } });
  }
  return parsed as PluginStateFile;
}

export async function writePluginState(path: string, state: PluginStateFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

type Check = (value: unknown) => string | undefined;
const text: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be non-empty text');
const packageName: Check = (v) => (typeof v === 'string' && isPackageName(v) ? undefined : 'must be an npm package name (lower case, optionally @scope/name)');
const object: Check = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be an object');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const texts: Check = (v) => (Array.isArray(v) && v.every((x) => text(x) === undefined) ? undefined : 'must be a list of non-empty texts');
const positiveInteger: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be an integer >= 1');
const rateLimit: Check = (v) => {
  const r = v as { ratePerSecond?: unknown; burst?: unknown } | null;
  const ok = object(v) === undefined && typeof r?.ratePerSecond === 'number' && r.ratePerSecond > 0 && typeof r.burst === 'number' && r.burst >= 1;
  return ok ? undefined : 'must be { ratePerSecond > 0, burst >= 1 }';
};

/** Field checks: [required, optional]. The shape only: versions, grants, retry values and config are checked again when a plugin activates. */
const PENDING_FIELDS: [Record<string, Check>, Record<string, Check>] = [{ version: text, root: text, integrity: text, source: text, config: object, missingGrants: texts }, {}];
const PLUGIN_FIELDS: [Record<string, Check>, Record<string, Check>] = [
  { name: packageName, version: text, root: text, enabled: bool, grants: texts, config: object },
  { retry: object, concurrency: positiveInteger, rateLimit, integrity: text, source: text, pending: (v) => fieldProblems(v, PENDING_FIELDS, '').join('; ') || undefined },
];

function fieldProblems(value: unknown, [required, optional]: [Record<string, Check>, Record<string, Check>], at: string): string[] {
  if (object(value) !== undefined) return [`${at || 'it'} must be an object`];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, check] of Object.entries(required)) {
    const problem = Object.hasOwn(record, key) ? check(record[key]) : 'is required';
    if (problem !== undefined) problems.push(`${at}${at ? '.' : ''}${key} ${problem}`);
  }
  for (const [key, check] of Object.entries(optional)) {
    const problem = Object.hasOwn(record, key) && record[key] !== undefined ? check(record[key]) : undefined;
    if (problem !== undefined) problems.push(`${at}${at ? '.' : ''}${key} ${problem}`);
  }
  return problems;
}

function stateProblems(state: unknown): string[] {
  const file = state as { version?: unknown; plugins?: unknown } | null;
  if (object(state) !== undefined) return ['the file must hold an object'];
  if (file?.version !== 1) return ['version must be 1'];
  if (!Array.isArray(file.plugins)) return ['plugins must be a list'];
  return file.plugins.flatMap((plugin: unknown, i) => fieldProblems(plugin, PLUGIN_FIELDS, `plugins[${i}]`));
}
