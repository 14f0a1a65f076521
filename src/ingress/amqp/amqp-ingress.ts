// A RabbitMQ source as an Ingress of `plexus start`, reported to /readyz as
// `amqp:<name>`: the shared broker ingress (broker-ingress.ts: supervised
// connection, intake, drain on stop) over AMQP sessions. Whatever is still
// unacknowledged when it stops goes back to the queue.
import type { AmqpSourceConfig } from '../broker-config.ts';
import type { BrokerIngressContext } from '../broker-ingress-context.ts';
import { BrokerIngress } from '../broker-ingress.ts';
import { connectionSecrets } from '../../config/connection-secrets.ts';
import { AmqpSession } from './amqp-session.ts';

export class AmqpIngress extends BrokerIngress<AmqpSession> {
  readonly #config: AmqpSourceConfig;

  constructor(config: AmqpSourceConfig, context: BrokerIngressContext) {
    super({ name: `amqp:${config.name}`, product: 'RabbitMQ', config, context, secrets: connectionSecrets(config), leftBehind: 'RabbitMQ redelivers them' });
    this.#config = config;
  }

  protected override open(): Promise<AmqpSession> {
    const { host, logger, consumerName } = this.context;
    const subscriptions = () => [...new Set(host.plugins.flatMap((p) => p.subscribe))];
    return AmqpSession.open({ config: this.#config, intake: this.intake, logger, subscriptions, consumerName });
  }

  protected override describe(): Record<string, unknown> {
    return { queues: this.#config.queues.map((q) => q.name), prefetch: this.#config.prefetch };
  }
}
