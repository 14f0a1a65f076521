// From installed plugins to what the engine runs: each one loaded and checked
// by the SDK (manifest, API range, config, grants, limits), with the host's
// delivery defaults filled in. A plugin that fails to load is reported, not
// activated, and never takes the others down.
import { loadPlugin, type LimitCeiling } from '@plexus/plugin-sdk/runtime';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import { resolveRetryPolicy, type RetryOptions } from '../delivery/retry-policy.ts';
import type { InstalledPlugin } from './plugin-state.ts';

export interface DeliveryDefaults {
  retry: RetryOptions;
  concurrency: number;
  batchSize: number;
  breaker: { failureThreshold: number; coolDownMs: number };
}

export interface ActivationResult {
  active: ActivePlugin[];
  failed: { name: string; error: Error }[];
}

export async function activatePlugins(installed: readonly InstalledPlugin[], defaults: DeliveryDefaults, secrets: Readonly<Record<string, string | undefined>>, ceiling: LimitCeiling): Promise<ActivationResult> {
  const result: ActivationResult = { active: [], failed: [] };
  for (const plugin of installed) {
    if (!plugin.enabled) continue;
    try {
      result.active.push(await activatePlugin(plugin, defaults, secrets, ceiling));
    } catch (err) {
      result.failed.push({ name: plugin.name, error: err as Error });
    }
  }
  return result;
}

export async function activatePlugin(plugin: InstalledPlugin, defaults: DeliveryDefaults, secrets: Readonly<Record<string, string | undefined>>, ceiling: LimitCeiling): Promise<ActivePlugin> {
  const { pkg, spec } = await loadPlugin(plugin.root, { config: plugin.config, grants: plugin.grants, secrets, ceiling });
  const active: ActivePlugin = {
    name: pkg.name,
    spec,
    subscribe: pkg.plexus.subscribe,
    retry: resolveRetryPolicy({ host: defaults.retry, plugin: plugin.retry }),
    concurrency: plugin.concurrency ?? defaults.concurrency,
    batchSize: defaults.batchSize,
    breaker: defaults.breaker,
  };
  if (plugin.rateLimit) active.rateLimit = plugin.rateLimit;
  return active;
}
