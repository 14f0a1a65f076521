// From installed plugins to what the engine runs: each one loaded and checked
// by the SDK (manifest, API range, config, grants, limits), with the host's
// delivery defaults filled in. A plugin that fails to load is reported, not
// activated, and never takes the others down. Loading compiles the plugin's
// config schema (tens of ms of the host's main thread), so a loaded version
// is remembered until a reload no longer uses it: a hot upgrade loads the
// new version once, not once per check plus once per unchanged plugin.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigValidators, loadPlugin, type LimitCeiling, type LoadedPlugin } from '@plexus/plugin-sdk/runtime';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import { resolveRetryPolicy, type RetryOptions } from '../delivery/retry-policy.ts';
import { missingFolder } from './missing-folder.ts';
import type { InstalledPlugin } from './plugin-state.ts';

export interface DeliveryDefaults {
  retry: RetryOptions;
  concurrency: number;
  batchSize: number;
  lingerMs: number;
  breaker: { failureThreshold: number; coolDownMs: number };
}

export interface ActivationResult {
  active: ActivePlugin[];
  failed: { name: string; error: Error }[];
}

export interface LoadSettings {
  config: unknown;
  grants: readonly string[];
}

/** Loads plugin versions for one host (its secrets, its ceiling), remembering what the active set uses. */
export class PluginLoader {
  readonly #secrets: Readonly<Record<string, string | undefined>>;
  readonly #ceiling: LimitCeiling;
  #loaded = new Map<string, Promise<LoadedPlugin>>();
  readonly #validators = new ConfigValidators();

  constructor(secrets: Readonly<Record<string, string | undefined>>, ceiling: LimitCeiling) {
    this.#secrets = secrets;
    this.#ceiling = ceiling;
  }

  /** `root` absolute. A package.json changed on disk (size or mtime) is loaded afresh. */
  async load(root: string, settings: LoadSettings): Promise<LoadedPlugin> {
    return this.#load(await this.#key(root, settings), root, settings);
  }

  /** Loads every enabled plugin; the remembered versions become exactly the ones loaded now. */
  async activate(installed: readonly InstalledPlugin[], defaults: DeliveryDefaults): Promise<ActivationResult> {
    const result: ActivationResult = { active: [], failed: [] };
    const used = new Map<string, Promise<LoadedPlugin>>();
    for (const plugin of installed) {
      if (!plugin.enabled) continue;
      try {
        const key = await this.#key(plugin.root, plugin);
        const loaded = this.#load(key, plugin.root, plugin);
        used.set(key, loaded);
        result.active.push(toActive(await loaded, plugin, defaults));
      } catch (err) {
        result.failed.push({ name: plugin.name, error: (await missingFolder(plugin)) ?? (err as Error) });
      }
    }
    this.#loaded = used;
    return result;
  }

  #load(key: string, root: string, settings: LoadSettings): Promise<LoadedPlugin> {
    let loaded = this.#loaded.get(key);
    if (!loaded) {
      loaded = loadPlugin(root, { config: settings.config, grants: settings.grants, secrets: this.#secrets, ceiling: this.#ceiling, validators: this.#validators });
      this.#loaded.set(key, loaded);
      // A refusal is not remembered: the next attempt reports the state of the disk then.
      loaded.catch(() => this.#loaded.delete(key));
    }
    return loaded;
  }

  async #key(root: string, settings: LoadSettings): Promise<string> {
    const pkg = await stat(join(root, 'package.json')).catch(() => undefined);
    return JSON.stringify([root, pkg?.size, pkg?.mtimeMs, settings.config ?? {}, settings.grants]);
  }
}

function toActive({ pkg, spec }: LoadedPlugin, plugin: InstalledPlugin, defaults: DeliveryDefaults): ActivePlugin {
  const active: ActivePlugin = {
    name: pkg.name,
    spec,
    subscribe: pkg.plexus.subscribe,
    retry: resolveRetryPolicy({ host: defaults.retry, plugin: plugin.retry }),
    concurrency: plugin.concurrency ?? defaults.concurrency,
    batchSize: defaults.batchSize,
    lingerMs: defaults.lingerMs,
    breaker: defaults.breaker,
  };
  if (plugin.rateLimit) active.rateLimit = plugin.rateLimit;
  return active;
}
