// A plugin version as the engine runs it: its code, what it subscribes to,
// and the limits its lane (plugin-lane.ts) applies to it.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { PluginRuntimeSpec, RunResult } from '@plexus/plugin-sdk/runtime';
import type { BucketLimits } from './rate-limiter.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** A plugin version as the engine runs it. */
export interface ActivePlugin {
  name: string;
  spec: PluginRuntimeSpec;
  subscribe: string[];
  retry: RetryPolicy;
  /** Batches of this plugin in flight at once. */
  concurrency: number;
  batchSize: number;
  /** How long a partial batch may wait for more deliveries while the stream keeps them coming (linger.ts); absent or 0: never. */
  lingerMs?: number;
  rateLimit?: BucketLimits;
  breaker: { failureThreshold: number; coolDownMs: number };
  /** Runs batches instead of the sandbox: a built-in subscriber (src/egress) that publishes rather than calls plugin code. */
  execute?: BatchExecutor;
  /** Routed only events plugins emit, never what ingress accepts or a replay re-delivers (egress targets). */
  emittedOnly?: boolean;
}

/** One outcome per event, in order, as the sandbox answers a batch. */
export type BatchExecutor = (events: readonly PlexusEvent[]) => Promise<RunResult>;
