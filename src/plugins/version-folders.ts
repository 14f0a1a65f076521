// Where installed versions live: <stateDir>/plugins/<name>/<version>/, one
// folder per version, never changed in place while something uses it (an
// instance's spec key is derived from its root, so new content needs a new
// root). Folders nothing references any more are removed, always by moving
// them aside first (removeFolder): a recursive rm killed part way would leave
// a half-emptied folder under a version's name, still holding the
// .plexus-integrity that lets a later install of that version reuse it as
// whole.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import { syncFolder } from '@plexus/plugin-sdk/runtime';
import { isPackageName } from './package-spec.ts';
import type { PluginStateFile } from './plugin-state.ts';

export const PLUGINS_FOLDER = 'plugins';
const STAGING_PREFIX = '.staging-';
/** Folders being removed: moved here first, so that no half-removed folder ever keeps a version's (or a plugin's) name. */
const REMOVING_PREFIX = '.removing-';

/** The state file's root for a version: relative to the state dir, "/"-separated. */
export function versionRoot(name: string, version: string, integrity?: string): string {
  const suffix = integrity === undefined ? '' : `+${createHash('sha256').update(integrity).digest('hex').slice(0, 8)}`;
  return `${PLUGINS_FOLDER}/${name}/${version}${suffix}`;
}

/** Where `name`'s versions live. Only a package name makes a path: a name from a hand-edited state file (`@acme`, `../x`) would point the removals at another plugin's folder or outside the state dir. */
export function pluginFolder(stateDir: string, name: string): string {
  if (!isPackageName(name)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${name}" is not a package name, so it has no plugin folder`);
  return join(stateDir, PLUGINS_FOLDER, ...name.split('/'));
}

/** A fresh folder to unpack into, next to the version folders (same file system, so rename is atomic). */
export function stagingFolder(stateDir: string): string {
  return join(stateDir, PLUGINS_FOLDER, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
}

/**
 * Removes the folders an earlier run left part way (killed in the middle of
 * an unpack or a removal): staging folders and folders moved aside to be
 * removed. Nothing references them, and only changes of this process make
 * new ones, so at start every one is garbage.
 */
export async function sweepStagingFolders(stateDir: string): Promise<void> {
  const folder = join(stateDir, PLUGINS_FOLDER);
  const entries = await readdir(folder).catch(() => [] as string[]);
  const leftovers = entries.filter((entry) => entry.startsWith(STAGING_PREFIX) || entry.startsWith(REMOVING_PREFIX));
  await Promise.all(leftovers.map((entry) => rm(join(folder, entry), { recursive: true, force: true })));
}

/**
 * Removes `path` (a version or plugin folder) so that a crash at any point
 * leaves it whole at its name or gone from it: renamed aside (atomic, and
 * flushed before any of its files go), then removed; sweepStagingFolders
 * removes at start what a crash left aside.
 */
async function removeFolder(stateDir: string, path: string): Promise<void> {
  const aside = join(stateDir, PLUGINS_FOLDER, `${REMOVING_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await syncFolder(dirname(path));
  await rm(aside, { recursive: true, force: true });
}

/** Moves a fully written staging folder to its root, replacing whatever unreferenced folder was there. */
export async function commitFolder(stateDir: string, staging: string, root: string): Promise<void> {
  const target = resolve(stateDir, root);
  await removeFolder(stateDir, target);
  await mkdir(dirname(target), { recursive: true });
  await rename(staging, target);
  // The rename, and any folder mkdir just made on the way, reach the disk before the state file names the root.
  const top = resolve(stateDir);
  for (let folder = dirname(target); folder.startsWith(`${top}/`) || folder === top; folder = dirname(folder)) {
    await syncFolder(folder);
    if (folder === top) break;
  }
}

/**
 * Removes version folders of `name` that are not in `keep` (roots as the state
 * file writes them). A folder holding a kept root (one edited by hand to lie
 * deeper inside it) is kept too.
 */
export async function pruneVersions(stateDir: string, name: string, keep: ReadonlySet<string>): Promise<void> {
  const folder = pluginFolder(stateDir, name);
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return;
  }
  const kept = [...keep].map((root) => resolve(stateDir, root));
  const holdsKept = (path: string) => kept.some((root) => root === path || root.startsWith(`${path}${sep}`));
  await Promise.all(entries.map((entry) => join(folder, entry)).filter((path) => !holdsKept(path)).map((path) => removeFolder(stateDir, path)));
  if (kept.length === 0) await removePluginFolder(stateDir, name);
}

/** Removes everything of `name`, and its scope folder once empty. */
export async function removePluginFolder(stateDir: string, name: string): Promise<void> {
  await removeFolder(stateDir, pluginFolder(stateDir, name));
  if (name.startsWith('@')) await rmdir(dirname(pluginFolder(stateDir, name))).catch(() => undefined);
}

/**
 * Removes the folders of plugins the state file does not name. An uninstall
 * keeps a version folder while its batches run and looks again every second
 * until they are over; a host stopped before then left it for good, as no
 * later change of that plugin comes to prune it. At start no batch runs yet.
 */
export async function sweepUninstalledPlugins(stateDir: string, installed: readonly string[]): Promise<void> {
  const folder = join(stateDir, PLUGINS_FOLDER);
  const names: string[] = [];
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    if (entry.startsWith(STAGING_PREFIX) || entry.startsWith(REMOVING_PREFIX)) continue;
    if (!entry.startsWith('@')) names.push(entry);
    else for (const inner of await readdir(join(folder, entry)).catch(() => [] as string[])) names.push(`${entry}/${inner}`);
  }
  const kept = new Set(installed);
  // One scope at a time: removePluginFolder removes a scope folder once it is empty.
  for (const name of names) if (isPackageName(name) && !kept.has(name)) await removePluginFolder(stateDir, name);
}

/**
 * Removes the version folders of installed plugins that no root in the state
 * file names (a plugin's root or its pending version's). A change of a plugin
 * keeps the version it replaced for batches in flight and prunes the rest only
 * at that plugin's next change, so without this a folder stayed for good: the
 * replaced version's, or a whole new one a host killed after the unpack but
 * before plugins.json was written. At start no batch runs yet (recovered
 * deliveries are keyed by plugin name and run on the version plugins.json
 * names), so every folder it does not name is garbage. Every plugin's roots
 * are kept in every plugin's folder: a hand-edited root may point into another's.
 */
export async function sweepUnnamedVersions(stateDir: string, state: PluginStateFile): Promise<void> {
  const named = new Set(state.plugins.flatMap((p) => (p.pending ? [p.root, p.pending.root] : [p.root])));
  for (const { name } of state.plugins) await pruneVersions(stateDir, name, named);
}
