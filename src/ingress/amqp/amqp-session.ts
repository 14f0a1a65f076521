// One connection to RabbitMQ and everything built on it: a channel with the
// configured prefetch, the declared topology, one consumer per queue.
// Deliveries that arrive in the same turn of the event loop go to the intake
// as one batch (one host.accept, one store transaction); each is acked on its
// own channel once its outcome is durable (acks coalesced: amqp-ack-window.ts).
// A delivery tag belongs to the channel that delivered it, so after a
// reconnect old messages are never acked on the new channel: RabbitMQ
// redelivers them, and the intake knows the ones that already settled.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { HostLogger } from '../../observability/host-logger.ts';
import type { AmqpQueueConfig, AmqpSourceConfig } from '../broker-config.ts';
import type { DepthReading } from '../broker-depth.ts';
import type { IngressSession } from '../broker-ingress.ts';
import type { BrokerIntake } from '../broker-intake.ts';
import type { BrokerMessage } from '../broker-message.ts';
import { settledWithin } from '../broker-reconnect-delay.ts';
import { AmqpAckWindow } from './amqp-ack-window.ts';
import { closeAmqpConnection, openAmqpSession, type WatchedConnection } from './amqp-connection.ts';
import { decodeAmqpMessage } from './amqp-message.ts';
import { bindPatterns, bindingExchange, declareTopology, queuePatterns } from './amqp-topology.ts';
import { sourceOf } from '../source-name.ts';

export interface AmqpSessionOptions {
  config: AmqpSourceConfig;
  intake: BrokerIntake;
  logger: HostLogger;
  /** The active plugins' subscribe patterns, read at connect and then every few seconds. */
  subscriptions: () => readonly string[];
  consumerName: string;
}

/** How often new plugin subscriptions are bound while connected. */
const REBIND_EVERY_MS = 5000;
/** How long a closing session waits for RabbitMQ to confirm its channel's close (and with it the last acks). */
const CHANNEL_CLOSE_MS = 5000;

export class AmqpSession implements IngressSession {
  readonly lost: Promise<Error | undefined>;
  readonly #options: AmqpSessionOptions;
  readonly #model: ChannelModel;
  readonly #channel: Channel;
  readonly #acks: AmqpAckWindow;
  /** Records the cause the session's loss reports (logs, /readyz). */
  readonly #noteError: (err: Error) => void;
  readonly #consumerTags: string[] = [];
  readonly #bound = new Set<string>();
  #batch: BrokerMessage[] = [];
  #flushScheduled = false;
  #rebindTimer: NodeJS.Timeout | undefined;
  /** RabbitMQ left a request of this stop unanswered: the rest of the stop does not wait for it again. */
  #silent = false;
  /** A channel of its own for checkQueue: a failed check (a deleted queue) closes it, never the consumers' channel. */
  #probe: Channel | undefined;
  /**
   * Every consumer is in place. Deliveries that arrive before (the first
   * queue's consumer starts while the next is still asked for) wait: if
   * opening fails after all (a queue in exclusive use by another consumer),
   * they are never taken, and RabbitMQ requeues them with the connection.
   * Taken, they ran at every failed attempt: the acks went to a closed
   * channel, so a message without a stable id ran again each time.
   */
  #opened = false;

  static open(options: AmqpSessionOptions): Promise<AmqpSession> {
    const { config } = options;
    // The set-up is bounded like the connect (connectTimeoutMs; a stop waits for an open in flight).
    return openAmqpSession(config, `plexus ${options.consumerName} ${config.name}`, config.connectTimeoutMs, 'the session opened (channel, topology, consumers)', (connection) => {
      connection.model.on('blocked', (reason: string) => options.logger.warn({ broker: `amqp:${config.name}`, reason }, 'RabbitMQ blocked this connection (resource alarm)'));
      return AmqpSession.#setUp(options, connection);
    });
  }

  /** The channel, the topology and the consumers, on a connection just opened. */
  static async #setUp(options: AmqpSessionOptions, { model, lost, markLost, noteError, lastError }: WatchedConnection): Promise<AmqpSession> {
    const channel = await model.createChannel();
    channel.on('error', noteError);
    const session = new AmqpSession(options, model, channel, lost, noteError);
    channel.on('close', () => {
      session.#acks.close();
      // A channel error leaves the connection open; the session is over all the same.
      markLost(lastError() ?? new Error('channel closed'));
      void closeAmqpConnection(model);
    });
    await session.#consume();
    session.#opened = true;
    session.#scheduleFlush();
    return session;
  }

  private constructor(options: AmqpSessionOptions, model: ChannelModel, channel: Channel, lost: Promise<Error | undefined>, noteError: (err: Error) => void) {
    this.#options = options;
    this.#noteError = noteError;
    this.#model = model;
    this.#channel = channel;
    this.#acks = new AmqpAckWindow(channel);
    this.lost = lost;
  }

  /** Cancels the consumers: no new deliveries; those already here still finish. */
  async stopIntake(): Promise<void> {
    clearInterval(this.#rebindTimer);
    // Bounded like the close: a silent broker never answers basic.cancel either.
    const tags = this.#consumerTags.splice(0);
    const cancelled = await settledWithin(Promise.all(tags.map((tag) => this.#channel.cancel(tag).catch(() => undefined))), CHANNEL_CLOSE_MS);
    if (cancelled === undefined) this.#silent = true;
    // Deliveries read together with the cancel's reply still wait for the end
    // of this turn to be taken: taken now, the drain that follows waits for
    // them, rather than finding nothing pending and closing the channel while
    // they run (their acks lost, RabbitMQ requeues them to run again).
    this.#takeBatch();
  }

  /** Messages ready in each queue (checkQueue: a passive declare, one round trip per queue). */
  async depth(): Promise<readonly DepthReading[]> {
    const probe = this.#probe ?? (await this.#openProbe());
    const readings: DepthReading[] = [];
    for (const queue of this.#options.config.queues) {
      const { messageCount } = await probe.checkQueue(queue.name);
      readings.push({ source: sourceOf('amqp/', queue.name), metric: 'queue_depth', value: messageCount });
    }
    return readings;
  }

  async close(): Promise<void> {
    clearInterval(this.#rebindTimer);
    // Acks still queued go out first, and the channel closes before the
    // connection: RabbitMQ answers a channel's close only after the methods
    // sent before it on that channel, whereas amqplib may put the
    // connection's close on the wire ahead of another channel's frames.
    // Otherwise RabbitMQ would redeliver messages that already settled.
    // Bounded: a silent broker never answers the close, and the stop must go on.
    this.#acks.flush();
    const closed = await settledWithin(this.#channel.close().catch(() => undefined), this.#silent ? 0 : CHANNEL_CLOSE_MS);
    this.#acks.close();
    await closeAmqpConnection(this.#model, this.#silent || closed === undefined ? 0 : undefined);
  }

  async #openProbe(): Promise<Channel> {
    const probe = await this.#model.createChannel();
    probe.on('error', () => undefined);
    probe.on('close', () => {
      if (this.#probe === probe) this.#probe = undefined;
    });
    this.#probe = probe;
    return probe;
  }

  async #consume(): Promise<void> {
    const { config } = this.#options;
    const subscriptions = this.#options.subscriptions();
    await declareTopology(this.#channel, config, subscriptions);
    for (const queue of config.queues) for (const pattern of queuePatterns(queue, subscriptions)) this.#bound.add(`${queue.name}\u0000${pattern}`);
    await this.#channel.prefetch(config.prefetch);
    for (const queue of config.queues) {
      const source = sourceOf('amqp/', queue.name);
      const { consumerTag } = await this.#channel.consume(queue.name, (message) => this.#onDelivery(message, queue, source), { noAck: false });
      this.#consumerTags.push(consumerTag);
    }
    if (config.queues.some((q) => q.bindSubscriptions)) {
      this.#rebindTimer = setInterval(() => void this.#rebind(), REBIND_EVERY_MS);
      this.#rebindTimer.unref();
    }
  }

  #onDelivery(message: ConsumeMessage | null, queue: AmqpQueueConfig, source: string): void {
    if (message === null) {
      // RabbitMQ cancelled the consumer (the queue was deleted, or a quorum queue lost its
      // members): start over, which declares it again (or, with declare: false, waits with
      // backoff until it exists). The cause names the queue: a bare "channel closed" in the
      // log and /readyz left an operator to guess which queue went and why.
      const cause = `RabbitMQ cancelled the consumer of queue '${queue.name}' (deleted, or unavailable on its node)`;
      this.#options.logger.warn({ broker: `amqp:${this.#options.config.name}`, queue: queue.name }, cause);
      this.#noteError(new Error(cause));
      // The other queues' settled acks go out first: the channel's close would lose them.
      this.#acks.flush();
      void this.#channel.close().catch(() => undefined);
      return;
    }
    const decoded = decodeAmqpMessage(message, { source, now: Date.now(), ...(queue.type === undefined ? {} : { type: queue.type }) });
    const contentType: unknown = message.properties.contentType;
    this.#batch.push({
      decoded,
      source,
      body: message.content,
      ...(typeof contentType === 'string' ? { contentType } : {}),
      ack: (lost) => this.#acks.ack(message, lost),
      refuse: () => void this.#acks.nack(message, false),
      release: () => void this.#acks.nack(message, true),
    });
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || !this.#opened || this.#batch.length === 0) return;
    this.#flushScheduled = true;
    // Everything that arrived with this socket read goes in one batch.
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#takeBatch();
    });
  }

  #takeBatch(): void {
    if (!this.#opened || this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    void this.#options.intake.take(batch);
  }

  async #rebind(): Promise<void> {
    const { config } = this.#options;
    const subscriptions = this.#options.subscriptions();
    try {
      for (const queue of config.queues) {
        if (!queue.bindSubscriptions) continue;
        const fresh = subscriptions.filter((p) => !this.#bound.has(`${queue.name}\u0000${p}`));
        if (fresh.length === 0) continue;
        await bindPatterns(this.#channel, bindingExchange(config), queue, fresh);
        for (const pattern of fresh) this.#bound.add(`${queue.name}\u0000${pattern}`);
        this.#options.logger.info({ broker: `amqp:${config.name}`, queue: queue.name, patterns: fresh }, 'bound new plugin subscriptions');
      }
    } catch {
      // The channel failed: the session is lost and the next one binds everything again.
    }
  }
}
