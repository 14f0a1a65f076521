// What the admin API needs from the running host: the Host's own operations
// plus the two store and sandbox calls readiness and counting use. A Pick of
// the real class, so the API cannot drift from it, and tests can hand in a
// small fake without a store or sandbox.
import type { SandboxPool } from '@plexus/plugin-sdk/runtime';
import type { Host } from '../host/host.ts';
import type { HostMetrics } from '../observability/host-metrics.ts';
import type { PluginManager } from '../plugins/plugin-manager.ts';
import type { Store } from '../store/store.ts';

export type AdminHost = Pick<Host, 'accept' | 'listDlq' | 'getDlq' | 'purgeDlq' | 'replayDlq' | 'replay' | 'plugins' | 'failedPlugins'> & {
  readonly store: Pick<Store, 'countDlq' | 'getDlq'>;
  readonly sandbox: Pick<SandboxPool, 'stats'>;
  /** Absent in hosts (and test fakes) that expose no metrics: /metrics then answers 503. */
  readonly metrics?: Pick<HostMetrics, 'text' | 'contentType'> & Partial<Pick<HostMetrics, 'ingress'>>;
  /** Absent in test fakes that install nothing: the plugin install/change routes then answer 503. */
  readonly pluginManager?: Pick<PluginManager, 'list' | 'get' | 'install' | 'update' | 'uninstall'>;
};
