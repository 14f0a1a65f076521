// How a changed plugin list goes live in a running host, all or nothing: the
// changed plugin is loaded and checked (manifest, API, config, grants), its
// instances are started in every sandbox worker (load + init) while the old
// version keeps serving, then the engine swaps to the new list (new events go
// to the new version's warm instances, in-flight batches finish on the old,
// then old instances run cleanup), and only then is the state file written.
// Any failure leaves the previous version serving and the file as it was.
import { resolve } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import { missingGrants, parseGrants, readPackageJson, validatePackageJson, type LoadedPlugin } from '@plexus/plugin-sdk/runtime';
import type { SandboxPool } from '@plexus/plugin-sdk/runtime';
import type { HostLogger } from '../observability/host-logger.ts';
import type { LoadSettings } from './active-plugins.ts';
import { pluginLogFields } from '../observability/plugin-log-fields.ts';
import { writePluginState, type InstalledPlugin, type PluginStateFile } from './plugin-state.ts';

export interface ReloadReport {
  active: string[];
  failed: { name: string; message: string }[];
}

export interface ActivationDeps {
  stateDir: string;
  statePath: string;
  /** Loads a version as the host runs it (root relative to the state dir); every refusal carries its PLEXUS_* code. */
  load(root: string, settings: LoadSettings): Promise<LoadedPlugin>;
  sandbox: Pick<SandboxPool, 'warm' | 'evict'>;
  logger: HostLogger;
  /** Makes exactly these plugins the active set (Host.reloadPlugins). */
  reload(installed: readonly InstalledPlugin[]): Promise<ReloadReport>;
}

/** What a version asks for that `grants` do not cover, as grant strings (`kv`, `http:host`...). */
export function ungranted(loaded: LoadedPlugin, grants: readonly string[]): string[] {
  return missingGrants(loaded.pkg.plexus.capabilities, parseGrants(grants));
}

/**
 * The grant rule of CONTRACT §4: what `candidate` asks for beyond `grants`
 * AND beyond what the running version already ran without (the operator
 * accepted that). Non-empty = hold the candidate back until granted.
 */
export async function addedAsks(deps: ActivationDeps, running: InstalledPlugin, candidate: LoadedPlugin, grants: readonly string[]): Promise<string[]> {
  let accepted: string[] = [];
  try {
    const pkg = validatePackageJson(await readPackageJson(resolve(deps.stateDir, running.root)));
    accepted = ungranted({ ...candidate, pkg }, grants);
  } catch {
    // The running version's package is unreadable: hold back everything not granted.
  }
  return ungranted(candidate, grants).filter((g) => !accepted.includes(g));
}

/**
 * Replaces (or, with `next` undefined, removes) plugin `name` in `state` and
 * makes that live. `probe`: `next` as loaded with its settings, to run its
 * init first (a new version, config or grants); undefined: nothing to re-run.
 */
export async function activate(deps: ActivationDeps, state: PluginStateFile, name: string, next: InstalledPlugin | undefined, probe: LoadedPlugin | undefined): Promise<PluginStateFile> {
  const plugins = state.plugins.filter((p) => p.name !== name);
  if (next) plugins.push(next);
  plugins.sort((a, b) => a.name.localeCompare(b.name));
  const live = next?.enabled === true;
  const warmed = live && probe ? probe.spec.key : undefined;
  if (live && probe) await warm(deps, next, probe);
  const report = await deps.reload(plugins);
  const failure = live ? report.failed.find((f) => f.name === name) : undefined;
  if (failure) {
    await deps.reload(state.plugins);
    if (warmed) await forget(deps, warmed);
    throw new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', `${name}@${next?.version} could not be activated; the previous version keeps serving: ${failure.message}`);
  }
  const written: PluginStateFile = { version: 1, plugins };
  try {
    await writePluginState(deps.statePath, written);
  } catch (err) {
    // The file is the truth after a restart: keep the running host in line with it.
    await deps.reload(state.plugins);
    if (warmed) await forget(deps, warmed);
    throw err;
  }
  return written;
}

/**
 * Starts `next`'s instances in every worker before the swap: its init runs
 * with its real config and capabilities, and a version whose init fails is
 * never swapped in (the old one keeps serving; the operator gets init's
 * error). Warm instances also mean the swap costs the event stream no pause.
 */
async function warm(deps: ActivationDeps, next: InstalledPlugin, loaded: LoadedPlugin): Promise<void> {
  const log = deps.logger.child({ plugin: next.name, version: next.version, phase: 'init' });
  const report = await deps.sandbox.warm(loaded.spec);
  for (const record of report.instanceLogs) log[record.level](pluginLogFields(record.fields), record.message);
  if (report.ok) return;
  await forget(deps, loaded.spec.key);
  deps.logger.error({ plugin: next.name, version: next.version, err: report.error.message }, 'plugin version not activated: its init failed; the previous version keeps serving');
  throw new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', report.error.message);
}

/** Drops the instances of a version that did not go live (their cleanup runs). */
async function forget(deps: ActivationDeps, key: string): Promise<void> {
  await deps.sandbox.evict(key).catch((err: unknown) => deps.logger.warn({ key, err: (err as Error).message }, 'evicting the instances of a version that did not go live failed'));
}
