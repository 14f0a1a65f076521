// A Redis source as an Ingress of `plexus start`: its streams, lists and
// pub/sub subscriptions over one supervised session (reconnect with backoff,
// circuit breaker), reported to /readyz as `redis:<name>`. The consumers
// outlive sessions, so what was in flight when a connection dropped is
// acknowledged (or recovered) on the next one. Stopping ends the reads,
// waits (bounded by shutdownTimeoutMs) for taken messages to settle and be
// acknowledged, then closes; what is left stays pending in Redis for the
// next start or another host.
import type { Ingress } from '../../cli/ingress.ts';
import type { RedisSourceConfig } from '../broker-config.ts';
import { BrokerConnection } from '../broker-connection.ts';
import type { BrokerIngressContext } from '../broker-ingress-context.ts';
import { BrokerIntake } from '../broker-intake.ts';
import { displayUrl } from '../broker-secrets.ts';
import { BrokerStats } from '../broker-stats.ts';
import { redisSecrets } from './redis-client-options.ts';
import { RedisListConsumer } from './redis-list-consumer.ts';
import { RedisPubSubConsumer } from './redis-pubsub-consumer.ts';
import { RedisSession, type SessionConsumer } from './redis-session.ts';
import { RedisStreamConsumer } from './redis-stream-consumer.ts';

export class RedisIngress implements Ingress {
  readonly name: string;
  readonly stats = new BrokerStats();
  /** The consumer name in groups and processing lists. */
  readonly consumer: string;
  readonly #config: RedisSourceConfig;
  readonly #context: BrokerIngressContext;
  readonly #intake: BrokerIntake;
  readonly #connection: BrokerConnection<RedisSession>;
  readonly #consumers: SessionConsumer[];
  #removeReadiness: (() => void) | undefined;

  constructor(config: RedisSourceConfig, context: BrokerIngressContext) {
    this.name = `redis:${config.name}`;
    this.consumer = config.consumer ?? context.consumerName;
    this.#config = config;
    this.#context = context;
    const { host, logger } = context;
    this.#intake = new BrokerIntake({ host, stats: this.stats, logger, name: this.name });
    const consumers: SessionConsumer[] = [
      ...config.streams.map((s) => labelled(`stream:${s.key}`, new RedisStreamConsumer(s, this.consumer, this.#intake, this.stats))),
      ...config.lists.map((l) => labelled(`list:${l.key}`, new RedisListConsumer(l, this.consumer, this.#intake, this.stats))),
      ...(config.pubsub.length === 0 ? [] : [labelled('pubsub', new RedisPubSubConsumer(config.pubsub, this.#intake))]),
    ];
    this.#consumers = consumers;
    this.#connection = new BrokerConnection({
      name: this.name,
      open: () => RedisSession.open(config, this.consumer, consumers),
      reconnect: config.reconnect,
      breaker: config.breaker,
      logger,
      secrets: redisSecrets(config),
    });
  }

  get connection(): BrokerConnection<RedisSession> {
    return this.#connection;
  }

  get pending(): number {
    return this.#intake.pending;
  }

  async start(): Promise<void> {
    this.#removeReadiness = this.#context.readiness.add(this.name, () => this.#connection.check());
    await this.#connection.start();
    const { streams, lists, pubsub } = this.#config;
    const fields = {
      broker: this.name, url: displayUrl(this.#config.url), consumer: this.consumer,
      streams: streams.map((s) => s.key), lists: lists.map((l) => l.key), pubsub: pubsub.map((p) => p.channel ?? p.pattern),
    };
    if (this.#connection.state === 'connected') this.#context.logger.info(fields, 'consuming from Redis');
    else this.#context.logger.warn({ ...fields, state: this.#connection.state }, 'Redis not reachable yet; consumption starts when it is');
  }

  async stop(): Promise<void> {
    this.#connection.hold();
    await this.#connection.session?.stopIntake();
    const drained = await this.#intake.drained(this.#context.host.config.shutdownTimeoutMs);
    if (!drained) this.#context.logger.warn({ broker: this.name, pending: this.#intake.pending }, 'stopping with unacknowledged messages; they stay pending in Redis');
    // Give the last acks their turn on the command connection before it closes.
    for (const consumer of this.#consumers) await consumer.flush?.();
    await this.#connection.stop();
    this.#removeReadiness?.();
    this.#context.logger.info({ broker: this.name, ...this.stats }, 'Redis ingress stopped');
  }
}

function labelled(label: string, consumer: Pick<SessionConsumer, 'run' | 'flush'>): SessionConsumer {
  return { label, run: (run) => consumer.run(run), ...(consumer.flush ? { flush: () => consumer.flush?.() ?? Promise.resolve() } : {}) };
}
