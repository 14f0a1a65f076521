// What a broker ingress needs from the running host: the host itself (accept,
// store for refusals, config, the active plugins' subscriptions, metrics), a logger,
// the readiness registry it adds its connections to, and a consumer name that
// identifies this host among several on one queue or stream.
import type { Readiness } from '../admin/readiness.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { Host } from '../host/host.ts';

export type BrokerHost = Pick<Host, 'accept' | 'store' | 'config' | 'plugins' | 'metrics'>;

export interface BrokerIngressContext {
  host: BrokerHost;
  logger: HostLogger;
  readiness: Pick<Readiness, 'add'>;
  /** Stable across restarts of this host, different between hosts: Redis consumer names and processing lists depend on it. */
  consumerName: string;
  /** How often queue depth and stream lag are asked of the broker; default 5 s (tests: less). */
  depthPollMs?: number;
}
