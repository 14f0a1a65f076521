// Everything that brings work into a running host is an Ingress: started
// after the host, stopped before it (stop intake first, then let the host
// finish or release in-flight work). The admin API is one (POST /v1/events);
// the webhook listener and broker consumers join the list in `hostIngresses`,
// and register their readiness checks (a connection, a channel) in
// `context.readiness` so /readyz reports them.
import type { AdminToken } from '../admin/admin-token.ts';
import type { Readiness } from '../admin/readiness.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { Host } from '../host/host.ts';
import { brokerIngresses } from '../ingress/broker-ingresses.ts';
import { WebhookIngress } from '../ingress/webhook/http/webhook-ingress.ts';
import { AdminIngress } from './admin-ingress.ts';

export interface Ingress {
  readonly name: string;
  start(): Promise<void>;
  /** Stops taking new work; what it already took is finished first, until `deadline` (epoch ms) at the latest. */
  stop(deadline?: number): Promise<void>;
}

export interface IngressContext {
  host: Host;
  loaded: LoadedConfig;
  logger: HostLogger;
  token: AdminToken;
  /** What /readyz runs: the host's store and sandbox checks, plus whatever an ingress adds. */
  readiness: Readiness;
}

/** In start order; stopped in reverse. */
export function hostIngresses(context: IngressContext): Ingress[] {
  // The admin API first: if its port is taken, startup fails before the webhook port is bound.
  return [new AdminIngress(context), new WebhookIngress(context), ...brokerIngresses(context)];
}
