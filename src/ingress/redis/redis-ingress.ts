// A Redis source as an Ingress of `plexus start`, reported to /readyz as
// `redis:<name>`: its streams, lists and pub/sub subscriptions over the
// shared broker ingress (broker-ingress.ts: supervised connection, intake,
// drain on stop). The consumers outlive sessions, so what was in flight when
// a connection dropped is acknowledged (or recovered) on the next one; what
// is left at stop stays pending in Redis for the next start or another host.
import type { RedisSourceConfig } from '../broker-config.ts';
import type { BrokerIngressContext } from '../broker-ingress-context.ts';
import { BrokerIngress } from '../broker-ingress.ts';
import { connectionSecrets } from '../../config/connection-secrets.ts';
import { settledWithin } from '../broker-reconnect-delay.ts';
import { RedisListConsumer } from './redis-list-consumer.ts';
import { RedisPubSubConsumer } from './redis-pubsub-consumer.ts';
import { RedisSession, type SessionConsumer } from './redis-session.ts';
import { RedisStreamConsumer } from './redis-stream-consumer.ts';

/** How long a stop waits for the last acknowledgements to be answered. */
const FLUSH_ON_STOP_MS = 5000;

export class RedisIngress extends BrokerIngress<RedisSession> {
  /** The consumer name in groups and processing lists. */
  readonly consumer: string;
  readonly #config: RedisSourceConfig;
  readonly #consumers: SessionConsumer[];

  constructor(config: RedisSourceConfig, context: BrokerIngressContext) {
    super({ name: `redis:${config.name}`, product: 'Redis', config, context, secrets: connectionSecrets(config), leftBehind: 'they stay pending in Redis' });
    this.consumer = config.consumer ?? context.consumerName;
    this.#config = config;
    this.#consumers = [
      ...config.streams.map((s) => labelled(`stream:${s.key}`, new RedisStreamConsumer(s, this.consumer, this.intake, this.stats, this.context.logger))),
      ...config.lists.map((l) => labelled(`list:${l.key}`, new RedisListConsumer(l, this.consumer, this.intake, this.stats))),
      ...(config.pubsub.length === 0 ? [] : [labelled('pubsub', new RedisPubSubConsumer(config.pubsub, this.intake))]),
    ];
  }

  protected override open(): Promise<RedisSession> {
    return RedisSession.open(this.#config, this.consumer, this.#consumers);
  }

  protected override describe(): Record<string, unknown> {
    const { streams, lists, pubsub } = this.#config;
    return { consumer: this.consumer, streams: streams.map((s) => s.key), lists: lists.map((l) => l.key), pubsub: pubsub.map((p) => p.channel ?? p.pattern) };
  }

  /**
   * Gives the last acks their turn on the command connection before it
   * closes. Bounded: on a half-dead socket no reply ever comes, and the stop
   * must still close it. Acks left unsent are redelivered, at least once.
   */
  protected override async beforeClose(): Promise<void> {
    const flushed = Promise.all(this.#consumers.map((consumer) => consumer.flush?.()));
    if ((await settledWithin(flushed, FLUSH_ON_STOP_MS)) === undefined) {
      this.context.logger.warn({ broker: this.name, waitedMs: FLUSH_ON_STOP_MS }, 'Redis did not answer the last acknowledgements; closing anyway (those entries will be delivered again)');
    }
  }
}

function labelled(label: string, consumer: Omit<SessionConsumer, 'label'>): SessionConsumer {
  return {
    label,
    run: (run) => consumer.run(run),
    ...(consumer.flush ? { flush: () => consumer.flush?.() ?? Promise.resolve() } : {}),
    ...(consumer.depth ? { depth: (commands) => consumer.depth?.(commands) ?? Promise.resolve([]) } : {}),
  };
}
