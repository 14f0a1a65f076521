// The broker ingresses a host config asks for, in config order: RabbitMQ
// sources, then Redis sources. `plexus start` appends them to its ingress
// list (src/cli/ingress.ts), so they start after the admin API and stop
// before it, and before the host.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Ingress } from '../cli/ingress.ts';
import { AmqpIngress } from './amqp/amqp-ingress.ts';
import { consumes } from './broker-config.ts';
import type { BrokerIngressContext } from './broker-ingress-context.ts';
import { registerBrokerMetrics } from './broker-metrics.ts';
import { RedisIngress } from './redis/redis-ingress.ts';

export function brokerIngresses(context: Omit<BrokerIngressContext, 'consumerName'> & { consumerName?: string }): Ingress[] {
  const brokers = context.host.config.brokers;
  if (brokers === undefined) return [];
  const full: BrokerIngressContext = { ...context, consumerName: context.consumerName ?? defaultConsumerName(context.host.config.stateDir) };
  // A connection only egress publishes through consumes nothing: no ingress (src/egress opens its own).
  const ingresses = [...brokers.amqp.filter(consumes).map((config) => new AmqpIngress(config, full)), ...brokers.redis.filter(consumes).map((config) => new RedisIngress(config, full))];
  registerBrokerMetrics(context.host.metrics.registry, ingresses);
  return ingresses;
}

/**
 * Host name plus a digest of the state dir: stable across restarts of one
 * host (a restarted host finds its own pending stream entries and processing
 * list), different for two hosts on one machine (they compete, not collide).
 */
export function defaultConsumerName(stateDir: string): string {
  return `${hostname()}-${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`;
}
