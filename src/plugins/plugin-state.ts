// Installed plugins live in one JSON file under the state dir that an
// operator can read, diff and keep under version control: name, version,
// where its package is, grants, config, enabled, and an upgrade waiting for
// grants. Written atomically; roots are relative to the state dir so the
// folder can move.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JsonObject } from '@plexus/plugin-sdk';
import { PlexusError } from '@plexus/plugin-sdk';
import type { RetryOptions } from '../delivery/retry-policy.ts';

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

export async function readPluginState(path: string): Promise<PluginStateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, plugins: [] };
    throw err;
  }
  const parsed = JSON.parse(text) as PluginStateFile;
  if (parsed.version !== 1 || !Array.isArray(parsed.plugins)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `${path} is not a Plexus plugin state file (version 1)`);
  return parsed;
}

export async function writePluginState(path: string, state: PluginStateFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, path);
}
