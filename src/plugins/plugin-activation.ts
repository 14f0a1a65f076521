// How a changed plugin list goes live in a running host, all or nothing: the
// changed plugin is loaded and checked (manifest, API, config, grants), its
// init runs once in the sandbox, then the engine swaps to the new list (new
// events go to the new version, in-flight batches finish on the old, then old
// instances run cleanup), and only then is the state file written. Any
// failure leaves the previous version serving and the file as it was.
import { resolve } from 'node:path';
import { PlexusError, type LogRecord } from '@plexus/plugin-sdk';
import { missingGrants, parseGrants, readPackageJson, validatePackageJson, type LoadedPlugin } from '@plexus/plugin-sdk/runtime';
import type { HostLogger } from '../host/engine-hooks.ts';
import type { LoadSettings } from './active-plugins.ts';
import { probeInit, type ProbeSandbox } from './init-probe.ts';
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
  sandbox: ProbeSandbox;
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
  if (live && probe) {
    const log = deps.logger.child({ plugin: next.name, version: next.version, phase: 'init-probe' });
    await probeInit(deps.sandbox, probe.spec, (record: LogRecord) => log[record.level](record.fields ?? {}, record.message)).catch((err: unknown) => {
      deps.logger.error({ plugin: next.name, version: next.version, err: (err as Error).message }, 'plugin version not activated: its init failed; the previous version keeps serving');
      throw err;
    });
  }
  const report = await deps.reload(plugins);
  const failure = live ? report.failed.find((f) => f.name === name) : undefined;
  if (failure) {
    await deps.reload(state.plugins);
    throw new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', `${name}@${next?.version} could not be activated; the previous version keeps serving: ${failure.message}`);
  }
  const written: PluginStateFile = { version: 1, plugins };
  try {
    await writePluginState(deps.statePath, written);
  } catch (err) {
    // The file is the truth after a restart: keep the running host in line with it.
    await deps.reload(state.plugins);
    throw err;
  }
  return written;
}
