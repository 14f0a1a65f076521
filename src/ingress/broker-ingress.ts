// What every broker source does as an Ingress of `plexus start`, whatever the
// broker: one supervised connection (reconnect with backoff, circuit
// breaker) reported to /readyz under the ingress name, an intake that acks
// only after the durable outcome, and the depth poller for the gauges.
// Stopping holds the connection (no new session), stops the reads, waits
// (bounded by shutdownTimeoutMs) for what was taken to settle and be
// acknowledged, then closes: anything still unacknowledged stays with the
// broker and is already durable in the host, so at worst it runs twice.
// A broker adds how to open its session and how to describe itself.
import type { Ingress } from '../cli/ingress.ts';
import type { ConnectionConfig } from './broker-config.ts';
import { BrokerConnection, type BrokerSession } from './broker-connection.ts';
import { DepthPoller, type DepthReading } from './broker-depth.ts';
import type { BrokerIngressContext } from './broker-ingress-context.ts';
import { BrokerIntake } from './broker-intake.ts';
import { displayUrl } from '../config/connection-secrets.ts';
import { BrokerStats } from './broker-stats.ts';

export interface IngressSession extends BrokerSession {
  /** No new messages; those already taken still finish. */
  stopIntake(): Promise<void>;
  /** Depth and lag of each source, asked of the broker on this session. */
  depth(): Promise<readonly DepthReading[]>;
}

export interface BrokerIngressOptions {
  /** `amqp:orders`: logs, readiness, metrics labels, the plugin name of refusals. */
  name: string;
  /** The broker's name in log lines: "RabbitMQ". */
  product: string;
  config: Pick<ConnectionConfig, 'url' | 'reconnect' | 'breaker'>;
  context: BrokerIngressContext;
  /** Values no log line or readiness reason may show. */
  secrets: readonly string[];
  /** What becomes of messages still unacknowledged at stop, for the warning. */
  leftBehind: string;
}

export abstract class BrokerIngress<S extends IngressSession> implements Ingress {
  readonly name: string;
  readonly stats = new BrokerStats();
  readonly connection: BrokerConnection<S>;
  protected readonly context: BrokerIngressContext;
  protected readonly intake: BrokerIntake;
  readonly #options: BrokerIngressOptions;
  readonly #depth: DepthPoller;
  #removeReadiness: (() => void) | undefined;

  constructor(options: BrokerIngressOptions) {
    const { name, config, context } = options;
    this.name = name;
    this.context = context;
    this.#options = options;
    this.intake = new BrokerIntake({ host: context.host, stats: this.stats, logger: context.logger, name });
    this.connection = new BrokerConnection({
      name,
      open: () => this.open(),
      reconnect: config.reconnect,
      breaker: config.breaker,
      logger: context.logger,
      secrets: options.secrets,
    });
    this.#depth = new DepthPoller(() => (this.connection.state === 'connected' ? this.connection.session?.depth() : undefined), context.depthPollMs);
  }

  /** Opens one session: connection, channels, consumers. */
  protected abstract open(): Promise<S>;

  /** Log fields naming what this source consumes. */
  protected abstract describe(): Record<string, unknown>;

  /** Last words on the open session before it closes (queued acks). */
  protected async beforeClose(): Promise<void> {}

  /** Messages taken and not yet acknowledged, refused or released. */
  get pending(): number {
    return this.intake.pending;
  }

  /** The latest depth and lag readings; empty while disconnected. */
  get depth(): readonly DepthReading[] {
    return this.#depth.readings;
  }

  async start(): Promise<void> {
    const { config, product } = this.#options;
    const context = this.context;
    this.#removeReadiness = context.readiness.add(this.name, () => this.connection.check());
    await this.connection.start();
    this.#depth.start();
    const fields = { broker: this.name, url: displayUrl(config.url), ...this.describe() };
    if (this.connection.state === 'connected') context.logger.info(fields, `consuming from ${product}`);
    else context.logger.warn({ ...fields, state: this.connection.state }, `${product} not reachable yet; consumption starts when it is`);
  }

  async stop(deadline?: number): Promise<void> {
    const { logger, host } = this.context;
    this.#depth.stop();
    this.connection.hold();
    await this.connection.session?.stopIntake();
    const drained = await this.intake.drained(Math.max(0, (deadline ?? Date.now() + host.config.shutdownTimeoutMs) - Date.now()));
    if (!drained) logger.warn({ broker: this.name, pending: this.intake.pending }, `stopping with unacknowledged messages; ${this.#options.leftBehind}`);
    await this.beforeClose();
    await this.connection.stop();
    this.#removeReadiness?.();
    logger.info({ broker: this.name, ...this.stats }, `${this.#options.product} ingress stopped`);
  }
}
