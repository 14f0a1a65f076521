// How an installed plugin is shown to operators (admin API, CLI): the state
// file's record, what the host actually runs (active, disabled, failed to
// load), what the version asks for that is not granted, and a version that
// waits for grants.
import { toErrorData } from '@plexus/plugin-sdk';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import type { PluginInfo } from './plugin-manager.ts';

export type PluginStatus = 'active' | 'disabled' | 'failed' | 'inactive';

export interface PluginView {
  name: string;
  version: string;
  status: PluginStatus;
  enabled: boolean;
  grants: string[];
  config: Record<string, unknown>;
  /** Asked for by the active version, not granted: it runs without them. */
  missingGrants: string[];
  root: string;
  integrity?: string;
  source?: string;
  pending?: { version: string; missingGrants: string[]; source: string };
  error?: { code: string; message: string };
}

export function pluginView(info: PluginInfo, active: readonly ActivePlugin[], failed: readonly { name: string; error: Error }[]): PluginView {
  const { installed } = info;
  const failure = failed.find((f) => f.name === installed.name);
  const running = active.some((p) => p.name === installed.name && p.spec.version === installed.version);
  const status: PluginStatus = !installed.enabled ? 'disabled' : running ? 'active' : failure ? 'failed' : 'inactive';
  const view: PluginView = {
    name: installed.name,
    version: installed.version,
    status,
    enabled: installed.enabled,
    grants: installed.grants,
    config: installed.config,
    missingGrants: info.missingGrants,
    root: installed.root,
  };
  if (installed.integrity !== undefined) view.integrity = installed.integrity;
  if (installed.source !== undefined) view.source = installed.source;
  if (installed.pending) view.pending = { version: installed.pending.version, missingGrants: installed.pending.missingGrants, source: installed.pending.source };
  if (status === 'failed' && failure) {
    const data = toErrorData(failure.error, 'PLEXUS_PLUGIN_LOAD_FAILED');
    view.error = { code: data.code ?? 'PLEXUS_PLUGIN_LOAD_FAILED', message: data.message };
  }
  return view;
}
