// What the host declares on RabbitMQ before it consumes: the configured
// exchange (durable, topic by default), a direct dead-letter exchange with
// one `<queue>.dead` queue per declared queue, the queues themselves with
// their arguments (quorum, x-max-priority, x-message-ttl, x-expires,
// dead-lettering), and bindings from config and, when asked, from the active
// plugins' `subscribe` patterns: Plexus topic patterns are AMQP topic
// patterns (`*` one word, `#` zero or more), so they bind as they are.
// Every declaration is idempotent, so it runs again on every reconnect.
import type { Channel } from 'amqplib';
import type { AmqpQueueConfig, AmqpSourceConfig } from '../broker-config.ts';

/** Bindings without a configured exchange go to the topic exchange every RabbitMQ has. */
export const DEFAULT_EXCHANGE = 'amq.topic';

export function bindingExchange(config: AmqpSourceConfig): string {
  return config.exchange?.name ?? DEFAULT_EXCHANGE;
}

export function deadQueueName(queue: string): string {
  return `${queue}.dead`;
}

export async function declareTopology(channel: Channel, config: AmqpSourceConfig, subscriptions: readonly string[]): Promise<void> {
  if (config.exchange) await channel.assertExchange(config.exchange.name, config.exchange.type, { durable: config.exchange.durable });
  const dlx = config.deadLetterExchange;
  if (dlx !== undefined) await channel.assertExchange(dlx, 'direct', { durable: true });
  for (const queue of config.queues) {
    if (queue.declare) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queueArguments(queue, dlx) });
      if (dlx !== undefined) {
        const dead = deadQueueName(queue.name);
        await channel.assertQueue(dead, { durable: true, arguments: queue.kind === 'quorum' ? { 'x-queue-type': 'quorum' } : {} });
        await channel.bindQueue(dead, dlx, queue.name);
      }
    } else {
      // Someone else owns it: it must exist (a 404 closes the channel, and the connection retries with backoff).
      await channel.checkQueue(queue.name);
    }
    await bindPatterns(channel, bindingExchange(config), queue, queuePatterns(queue, subscriptions));
  }
}

export function queuePatterns(queue: AmqpQueueConfig, subscriptions: readonly string[]): string[] {
  return [...new Set([...queue.bindings, ...(queue.bindSubscriptions ? subscriptions : [])])];
}

export async function bindPatterns(channel: Channel, exchange: string, queue: AmqpQueueConfig, patterns: readonly string[]): Promise<void> {
  for (const pattern of patterns) await channel.bindQueue(queue.name, exchange, pattern);
}

function queueArguments(queue: AmqpQueueConfig, dlx: string | undefined): Record<string, string | number> {
  const args: Record<string, string | number> = {};
  if (queue.kind === 'quorum') args['x-queue-type'] = 'quorum';
  if (queue.maxPriority !== undefined) args['x-max-priority'] = queue.maxPriority;
  if (queue.messageTtlMs !== undefined) args['x-message-ttl'] = queue.messageTtlMs;
  if (queue.expiresMs !== undefined) args['x-expires'] = queue.expiresMs;
  if (dlx !== undefined) {
    // Refused messages (nack, requeue false) and expired ones go to <queue>.dead through the DLX.
    args['x-dead-letter-exchange'] = dlx;
    args['x-dead-letter-routing-key'] = queue.name;
  }
  return args;
}
