// An egress target as an ActivePlugin: the shape the delivery engine runs,
// with the target's executor instead of the sandbox, routed only the events
// plugins emit. The runtime spec is never loaded by the sandbox (execute
// replaces it); it carries the lane's key and a version label for metrics.
import { DEFAULT_LIMITS, NO_CAPABILITIES, type PluginRuntimeSpec } from '@plexus/plugin-sdk/runtime';
import type { ActivePlugin, BatchExecutor } from '../delivery/plugin-lane.ts';
import type { EgressTarget } from './egress-config.ts';

/** `version` label of egress lanes in plugin metrics (plexus_plugin_executions_total{plugin="egress:…"}). */
export const EGRESS_VERSION = 'egress';

/**
 * The lane's circuit breaker: publishes that keep failing on an open
 * connection (nacks, timeouts) pause the lane for a few seconds instead of
 * retrying each event at its own pace.
 */
const EGRESS_BREAKER = Object.freeze({ failureThreshold: 10, coolDownMs: 5000 });

export function egressLane(target: EgressTarget, execute: BatchExecutor): ActivePlugin {
  const spec: PluginRuntimeSpec = {
    key: target.lane,
    name: target.lane,
    version: EGRESS_VERSION,
    root: '',
    main: '',
    config: {},
    capabilities: NO_CAPABILITIES,
    secrets: {},
    limits: DEFAULT_LIMITS,
  };
  return {
    name: target.lane,
    spec,
    subscribe: target.match,
    retry: target.retry,
    concurrency: target.concurrency,
    batchSize: target.batchSize,
    breaker: EGRESS_BREAKER,
    execute,
    emittedOnly: true,
  };
}
