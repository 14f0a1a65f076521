// Small rules over the state file's records that the plugin manager applies:
// finding a plugin, which roots are still referenced, what a version change
// is called, and how a pending version takes the place of the active one.
import semver from 'semver';
import { PlexusError } from '@plexus/plugin-sdk';
import type { InstalledPlugin, PendingVersion, PluginStateFile } from './plugin-state.ts';

export type Change = 'installed' | 'upgraded' | 'downgraded' | 'reinstalled' | 'pending' | 'updated' | 'unchanged';

export function findPlugin(state: PluginStateFile, name: string): InstalledPlugin {
  const plugin = state.plugins.find((p) => p.name === name);
  if (!plugin) throw new PlexusError('PLEXUS_NOT_FOUND', `plugin ${name} is not installed`);
  return plugin;
}

/** Root → the integrity the state file records for it (active or pending; '' for a record that has none). */
export function recordedIntegrities(state: PluginStateFile): Map<string, string> {
  const recorded = new Map<string, string>();
  const record = (root: string, integrity: string) => {
    if (!recorded.has(root)) recorded.set(root, integrity);
  };
  for (const p of state.plugins) {
    record(p.root, p.integrity ?? '');
    if (p.pending) record(p.pending.root, p.pending.integrity);
  }
  return recorded;
}

/** Roots to keep: what the state file references, plus the version just replaced (its in-flight batches may still start instances). */
export function referencedRoots(state: PluginStateFile, name: string, previous: string | undefined): Set<string> {
  const plugin = state.plugins.find((p) => p.name === name);
  return new Set([plugin?.root, plugin?.pending?.root, previous].filter((r): r is string => r !== undefined));
}

export function changeOf(from: string | undefined, to: string): Change {
  if (from === undefined) return 'installed';
  if (from === to) return 'reinstalled';
  return semver.gt(to, from) ? 'upgraded' : 'downgraded';
}

/** Retry, concurrency and rate-limit settings carry over to another version; a pending version does not. */
export function withoutPending(plugin: InstalledPlugin): InstalledPlugin {
  const copy: InstalledPlugin = { ...plugin };
  delete copy.pending;
  return copy;
}

/** The pending version becomes the active one, with its own config unless the operator gives another. */
export function promote(plugin: InstalledPlugin, pending: PendingVersion, config = pending.config): InstalledPlugin {
  return { ...withoutPending(plugin), version: pending.version, root: pending.root, integrity: pending.integrity, source: pending.source, config };
}
