// Install, upgrade, downgrade, configure, enable, disable and uninstall
// plugins in a running host (CONTRACT §7, §8). One operation at a time (they
// all rewrite plugins.json); each is all or nothing (plugin-activation). A
// version asking for capabilities not granted is recorded as pending and not
// activated; the running version keeps serving until an update grants them.
import { resolve, sep } from 'node:path';
import { HOST_API_VERSION, PlexusError, type JsonObject } from '@plexus/plugin-sdk';
import { parseGrants, type LoadedPlugin } from '@plexus/plugin-sdk/runtime';
import { DEFAULT_REGISTRY } from './fetch-package.ts';
import { changeOf, findPlugin, promote, recordedIntegrities, referencedRoots, withoutPending, type Change } from './installed-records.ts';
import { missingFolder } from './missing-folder.ts';
import { activate, addedAsks, ungranted, type ActivationDeps } from './plugin-activation.ts';
import { unpackPlugin } from './plugin-installer.ts';
import type { Unpack } from './unpack-worker.ts';
import { pluginStatePath, readPluginState, writePluginState, type InstalledPlugin, type PluginStateFile } from './plugin-state.ts';
import { pluginFolder, pruneVersions } from './version-folders.ts';

export type { Change } from './installed-records.ts';

export interface PluginManagerOptions extends Omit<ActivationDeps, 'statePath'> {
  /** Registry for installs that name none; default npm's. */
  registry?: string;
  hostApiVersion?: string;
  /** Fetches and unpacks a package; default: on the calling thread (the host passes an UnpackWorker's). */
  unpack?: Unpack;
  /** Folders of plugin versions with batches running now (the engine's): kept until those batches are over. */
  inUse?: () => readonly string[];
  /** Names of enabled plugins the host could not activate (Host.failedPlugins): an explicit enable retries them. */
  failed?: () => readonly string[];
}

/** How often an uninstalled plugin's folders still in use are looked at again. */
const PRUNE_RETRY_MS = 1000;

export interface InstallRequest {
  spec: string;
  /** Default: the installed version's grants, else none. */
  grants?: string[];
  /** Default: the installed version's config, else {}. */
  config?: JsonObject;
  registry?: string;
}

export interface PluginPatch {
  enabled?: boolean;
  /** The whole grant list; or, against the grants current when the change runs, `grant` (added) and `revoke` (removed). */
  grants?: string[];
  grant?: string[];
  revoke?: string[];
  config?: JsonObject;
}

/**
 * The grants after `patch`. Added and removed ones apply to the list as it is
 * when this change runs (changes run one at a time), so two operators granting
 * and revoking at once both take effect: a read-modify-write by the client
 * could undo a revoke it had not seen.
 */
function patchedGrants(current: readonly string[], patch: PluginPatch): string[] {
  const revoked = new Set(patch.revoke ?? []);
  return [...new Set([...(patch.grants ?? current), ...(patch.grant ?? [])])].filter((g) => !revoked.has(g));
}

export interface PluginInfo {
  installed: InstalledPlugin;
  /** What the active version asks for that is not granted (it runs without it). */
  missingGrants: string[];
}

export type PluginChange = PluginInfo & { change: Change };

export class PluginManager {
  readonly #deps: ActivationDeps;
  readonly #registry: string;
  readonly #hostApiVersion: string;
  readonly #unpack: Unpack;
  readonly #inUse: () => readonly string[];
  readonly #failed: () => readonly string[];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: PluginManagerOptions) {
    const { registry, hostApiVersion, unpack, inUse, failed, ...deps } = options;
    this.#deps = { ...deps, statePath: pluginStatePath(options.stateDir) };
    this.#registry = registry ?? DEFAULT_REGISTRY;
    this.#hostApiVersion = hostApiVersion ?? HOST_API_VERSION;
    this.#unpack = unpack ?? unpackPlugin;
    this.#inUse = inUse ?? (() => []);
    this.#failed = failed ?? (() => []);
  }

  get statePath(): string {
    return this.#deps.statePath;
  }

  async list(): Promise<PluginInfo[]> {
    const state = await readPluginState(this.statePath);
    return Promise.all(state.plugins.map((p) => this.#info(p)));
  }

  async get(name: string): Promise<PluginInfo> {
    return this.#info(findPlugin(await readPluginState(this.statePath), name));
  }

  install(request: InstallRequest): Promise<PluginChange> {
    return this.#serial(async () => {
      // A malformed grant is the request's own mistake: said before any registry is asked.
      if (request.grants !== undefined) parseGrants(request.grants);
      const state = await readPluginState(this.statePath);
      const unpacked = await this.#unpack(request.spec, {
        stateDir: this.#deps.stateDir,
        registry: request.registry ?? this.#registry,
        hostApiVersion: this.#hostApiVersion,
        recorded: recordedIntegrities(state),
      });
      const { name, version } = unpacked.pkg;
      const current = state.plugins.find((p) => p.name === name);
      const { root, integrity, source } = unpacked;
      let after = state;
      try {
        const grants = request.grants ?? current?.grants ?? [];
        const config = request.config ?? current?.config ?? {};
        const loaded = await this.#deps.load(root, { config, grants });
        const extra = current ? await addedAsks(this.#deps, current, loaded, grants) : [];
        if (current && extra.length > 0) {
          const held: InstalledPlugin = { ...current, pending: { version, root, integrity, source, config, missingGrants: extra } };
          // The grants given with the install are the operator's list from now on: the running
          // version gets them at once (added or revoked), as `configure --grant` would do.
          const regranted = request.grants !== undefined && JSON.stringify(request.grants) !== JSON.stringify(current.grants);
          const next: InstalledPlugin = regranted ? { ...held, grants } : held;
          after = regranted ? await activate(this.#deps, state, name, next, await this.#loadInstalled(next)) : await this.#record(state, next);
          this.#deps.logger.warn({ plugin: name, version, missingGrants: extra }, 'plugin version installed but not activated: it asks for capabilities not granted');
          return { ...(await this.#info(next)), change: 'pending' };
        }
        const next: InstalledPlugin = { ...(current ? withoutPending(current) : {}), name, version, root, enabled: current?.enabled ?? true, grants, config, integrity, source };
        after = await activate(this.#deps, state, name, next, loaded);
        this.#deps.logger.info({ plugin: name, version, from: current?.version }, 'plugin version activated');
        return { installed: next, missingGrants: ungranted(loaded, grants), change: changeOf(current?.version, version) };
      } finally {
        // A refused version's folder goes; the one just replaced stays until the next change.
        await this.#prune(name, referencedRoots(after, name, current?.root));
      }
    });
  }

  update(name: string, patch: PluginPatch): Promise<PluginChange> {
    return this.#serial(async () => {
      const state = await readPluginState(this.statePath);
      const current = findPlugin(state, name);
      const grants = patchedGrants(current.grants, patch);
      let next: InstalledPlugin = { ...current, grants, enabled: patch.enabled ?? current.enabled, config: patch.config ?? current.config };
      let loaded: LoadedPlugin | undefined;
      if (current.pending) {
        // Whether the grants now promote the waiting version is decided with its own config: a
        // patch's config is for whichever version runs after this change, checked against its schema.
        const candidate = await this.#deps.load(current.pending.root, { config: current.pending.config, grants }).catch((err: unknown) => {
          // Its folder damaged, or a host whose API it no longer fits: the running version must still
          // be changeable (disabled, reconfigured), so the waiting one is dropped, not the change refused.
          this.#deps.logger.warn({ plugin: name, version: current.pending?.version, err: (err as Error).message }, 'the version waiting for grants cannot be loaded any more; dropped');
          return undefined;
        });
        if (candidate === undefined) next = withoutPending(next);
        else {
          const extra = await addedAsks(this.#deps, current, candidate, grants);
          if (extra.length > 0) next.pending = { ...current.pending, missingGrants: extra };
          else {
            next = promote(next, current.pending, patch.config);
            loaded = patch.config === undefined ? candidate : await this.#deps.load(current.pending.root, { config: patch.config, grants });
          }
        }
      }
      if (loaded === undefined) {
        try {
          loaded = await this.#loadInstalled(next);
        } catch (err) {
          // A version that no longer loads (its folder damaged, a host it no longer fits) must
          // still be disabled by its operator: a disabled plugin runs nothing, so nothing is checked.
          if (next.enabled) throw err;
        }
      }
      const missingGrants = loaded === undefined ? [] : ungranted(loaded, grants);
      // Enabling a plugin that is enabled but failed to activate (its folder was damaged, say, and is
      // repaired now) tries again rather than answering "already enabled" and leaving it down.
      const retry = patch.enabled === true && current.enabled && this.#failed().includes(name);
      if (JSON.stringify(next) === JSON.stringify(current) && !retry) return { installed: current, missingGrants, change: 'unchanged' };
      const rerun = retry || next.root !== current.root || !current.enabled || JSON.stringify([next.config, next.grants]) !== JSON.stringify([current.config, current.grants]);
      const after = await activate(this.#deps, state, name, next, rerun ? loaded : undefined);
      await this.#prune(name, referencedRoots(after, name, current.root));
      if (next.version !== current.version) this.#deps.logger.info({ plugin: name, version: next.version, from: current.version }, 'pending plugin version granted and activated');
      return { installed: next, missingGrants, change: next.version === current.version ? 'updated' : changeOf(current.version, next.version) };
    });
  }

  uninstall(name: string): Promise<InstalledPlugin> {
    return this.#serial(async () => {
      const state = await readPluginState(this.statePath);
      const current = findPlugin(state, name);
      await activate(this.#deps, state, name, undefined, undefined);
      // Batches still running keep their folders: one that crashes re-runs its events on instances loaded from there.
      await this.#prune(name, new Set(), true);
      this.#deps.logger.info({ plugin: name, version: current.version }, 'plugin uninstalled');
      return current;
    });
  }

  /**
   * Loads the version `plugin` names, with its settings. A folder deleted by
   * hand fails as it does at start (PLEXUS_NOT_FOUND, naming the folder, the
   * version and how to reinstall), not as the loader's "no package.json",
   * which reads like a broken package.
   */
  async #loadInstalled(plugin: InstalledPlugin): Promise<LoadedPlugin> {
    try {
      return await this.#deps.load(plugin.root, plugin);
    } catch (err) {
      throw (await missingFolder({ ...plugin, root: resolve(this.#deps.stateDir, plugin.root) })) ?? err;
    }
  }

  async #info(installed: InstalledPlugin): Promise<PluginInfo> {
    const loaded = await this.#deps.load(installed.root, installed).catch(() => undefined);
    return { installed, missingGrants: loaded ? ungranted(loaded, installed.grants) : [] };
  }

  /** Writes a change that does not touch what runs (a pending version). */
  async #record(state: PluginStateFile, next: InstalledPlugin): Promise<PluginStateFile> {
    const written: PluginStateFile = { version: 1, plugins: state.plugins.map((p) => (p.name === next.name ? next : p)) };
    await writePluginState(this.statePath, written);
    return written;
  }

  /**
   * Removes `name`'s version folders other than `keep` and those with batches
   * running. With `retry` (an uninstall), the folders left for running
   * batches are looked at again until they go.
   */
  async #prune(name: string, keep: ReadonlySet<string>, retry = false): Promise<void> {
    const folder = resolve(pluginFolder(this.#deps.stateDir, name)) + sep;
    const busy = this.#inUse().filter((root) => root.startsWith(folder));
    await pruneVersions(this.#deps.stateDir, name, new Set([...keep, ...busy]));
    if (!retry || busy.length === 0) return;
    const timer = setTimeout(() => {
      void this.#serial(async () => this.#prune(name, referencedRoots(await readPluginState(this.statePath), name, undefined), true)).catch(() => undefined);
    }, PRUNE_RETRY_MS);
    timer.unref();
  }

  /**
   * The host is stopping: operations not started yet are refused, and the
   * answer comes once the one running is over. Its sandbox must outlive it:
   * a warm-up or eviction sent to a closed sandbox is never answered, so a
   * configure or upgrade that reached one hung for good (and every operation
   * queued behind it).
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.#queue.then(() => undefined);
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const guarded = () => (this.#closed ? Promise.reject(new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down; plugins cannot be changed now')) : operation());
    const run = this.#queue.then(guarded, guarded);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
