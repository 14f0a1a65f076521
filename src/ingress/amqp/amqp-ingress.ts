// A RabbitMQ source as an Ingress of `plexus start`: one supervised
// connection (reconnect with backoff, circuit breaker), reported to /readyz
// as `amqp:<name>`. Stopping cancels the consumers first, waits (bounded by
// shutdownTimeoutMs) for what was already delivered to settle and be acked,
// then closes: anything still unacknowledged goes back to the queue, and is
// already durable in the host, so at worst it runs twice (at least once).
import type { Ingress } from '../../cli/ingress.ts';
import type { AmqpSourceConfig } from '../broker-config.ts';
import { BrokerConnection } from '../broker-connection.ts';
import type { BrokerIngressContext } from '../broker-ingress-context.ts';
import { BrokerIntake } from '../broker-intake.ts';
import { displayUrl } from '../broker-secrets.ts';
import { BrokerStats } from '../broker-stats.ts';
import { amqpSecrets } from './amqp-connect-options.ts';
import { AmqpSession } from './amqp-session.ts';

export class AmqpIngress implements Ingress {
  readonly name: string;
  readonly stats = new BrokerStats();
  readonly #config: AmqpSourceConfig;
  readonly #context: BrokerIngressContext;
  readonly #intake: BrokerIntake;
  readonly #connection: BrokerConnection<AmqpSession>;
  #removeReadiness: (() => void) | undefined;

  constructor(config: AmqpSourceConfig, context: BrokerIngressContext) {
    this.name = `amqp:${config.name}`;
    this.#config = config;
    this.#context = context;
    const { host, logger } = context;
    this.#intake = new BrokerIntake({ host, stats: this.stats, logger, name: this.name });
    const subscriptions = () => [...new Set(host.plugins.flatMap((p) => p.subscribe))];
    this.#connection = new BrokerConnection({
      name: this.name,
      open: () => AmqpSession.open({ config, intake: this.#intake, logger, subscriptions, consumerName: context.consumerName }),
      reconnect: config.reconnect,
      breaker: config.breaker,
      logger,
      secrets: amqpSecrets(config),
    });
  }

  /** The connection, for tests and diagnostics. */
  get connection(): BrokerConnection<AmqpSession> {
    return this.#connection;
  }

  /** Messages taken and not yet acknowledged, refused or released. */
  get pending(): number {
    return this.#intake.pending;
  }

  async start(): Promise<void> {
    this.#removeReadiness = this.#context.readiness.add(this.name, () => this.#connection.check());
    await this.#connection.start();
    const fields = { broker: this.name, url: displayUrl(this.#config.url), queues: this.#config.queues.map((q) => q.name), prefetch: this.#config.prefetch };
    if (this.#connection.state === 'connected') this.#context.logger.info(fields, 'consuming from RabbitMQ');
    else this.#context.logger.warn({ ...fields, state: this.#connection.state }, 'RabbitMQ not reachable yet; consumption starts when it is');
  }

  async stop(): Promise<void> {
    this.#connection.hold();
    await this.#connection.session?.stopIntake();
    const drained = await this.#intake.drained(this.#context.host.config.shutdownTimeoutMs);
    if (!drained) this.#context.logger.warn({ broker: this.name, pending: this.#intake.pending }, 'stopping with unacknowledged messages; RabbitMQ redelivers them');
    await this.#connection.stop();
    this.#removeReadiness?.();
    this.#context.logger.info({ broker: this.name, ...this.stats }, 'RabbitMQ ingress stopped');
  }
}
