// One connection to RabbitMQ for egress, with one confirm channel: every
// publish waits for the broker's ack (its callback), so an event counts as
// published only once RabbitMQ has taken responsibility for it (persistent
// messages on durable queues: written to disk). A nack, the channel closing
// with confirms outstanding, or no confirm within the timeout fails the
// event, and the delivery engine retries it with backoff.
//
// A round that gets no answer at all within the timeout (no ack, no nack,
// no return, nor anything else from the broker since it began) ends the
// session: its socket is dropped and BrokerConnection opens a new
// connection, through which the retries go. A flow a firewall dropped or a
// proxy that stopped forwarding leaves the socket open and silent; with
// heartbeats off (heartbeatSec: 0) amqplib never notices (with them on, only
// after two intervals), and every round would wait out the timeout again,
// nothing published, while a new connection would work at once. A round
// some of whose confirms came back is only slow, and a connection RabbitMQ
// blocked (below) is unread on purpose: neither is replaced. The check of a
// missing exchange (below) is bounded by the same timeout, for the same
// reason, and so is the session's set-up (the longest of its targets'):
// a connection silent before it is ready is dropped too.
//
// Egress has its own connection, not the ingress's: RabbitMQ throttles a
// publishing connection under a resource alarm, and that must not stall
// consumption (or the other way round).
//
// Every message is published `mandatory`: RabbitMQ confirms a message no
// queue is bound to receive with a plain ack, so without it an event sent to
// an exchange with no binding for its routing key (a consumer's queue not yet
// declared, a typo in routingKey) would count as published and be gone. The
// broker returns such a message (basic.return) before its ack; that publish
// fails and is retried like any other, until a queue is bound.
//
// Under a resource alarm RabbitMQ blocks the connection (connection.blocked)
// and stops reading its socket until the alarm clears. Nothing is published
// then: a round fails at once and is retried with backoff. Written anyway,
// every retry would add another copy of its messages to the socket's buffer
// (the host's memory, for as long as the alarm lasts), each one published as
// a duplicate once the alarm clears.
//
// At open, the exchanges the targets publish to are checked (passive
// declare, each on a channel of its own, since a failed one closes its
// channel). Publishing to a missing exchange would close the confirm channel
// that every target on this broker shares, so a target whose exchange is
// missing publishes nothing: its rounds fail at once, naming the exchange,
// and each retry checks again. The other targets publish as usual (a
// missing exchange used to fail the whole session, and with it every target
// on the broker). The source's own configured exchange is declared with its
// settings, as the ingress does; the default exchange and amq.* always exist.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpSourceConfig } from '../ingress/broker-config.ts';
import { closeAmqpConnection, openAmqpSession, type WatchedConnection } from '../ingress/amqp/amqp-connection.ts';
import { settledWithin } from '../ingress/broker-reconnect-delay.ts';
import type { ExchangeTarget } from './egress-config.ts';
import { toAmqpPublication } from './egress-message.ts';
import { withinConfirmTimeout, type PublishSession } from './publish-session.ts';

export class AmqpPublishSession implements PublishSession<ExchangeTarget> {
  readonly lost: Promise<Error | undefined>;
  readonly #model: ChannelModel;
  readonly #channel: ConfirmChannel;

  static open(config: AmqpSourceConfig, targets: readonly ExchangeTarget[]): Promise<AmqpPublishSession> {
    // The set-up is bounded like a round (the longest of the targets').
    const ms = Math.max(...targets.map((t) => t.confirmTimeoutMs));
    return openAmqpSession(config, `plexus egress ${config.name}`, ms, 'the egress session opened (confirm channel, exchanges)', (connection) => AmqpPublishSession.#setUp(config, targets, connection));
  }

  /** The confirm channel, its listeners and the exchange checks, on a connection just opened. */
  static async #setUp(config: AmqpSourceConfig, targets: readonly ExchangeTarget[], { model, lost, markLost, noteError, lastError }: WatchedConnection): Promise<AmqpPublishSession> {
    const channel = await model.createConfirmChannel();
    channel.on('error', noteError);
    const returned = new ReturnedMessages();
    channel.on('return', (message: ConsumeMessage) => returned.add(message));
    channel.on('close', () => {
      markLost(lastError() ?? new Error('channel closed'));
      void closeAmqpConnection(model);
    });
    const missing = await checkExchanges(model, channel, config, targets);
    const session = new AmqpPublishSession(config.name, model, channel, lost, markLost, returned, missing);
    // Returns come only after publishes, so after this point.
    channel.on('return', () => session.#heard++);
    model.on('blocked', (reason: unknown) => {
      session.#heard++;
      session.#blocked = typeof reason === 'string' && reason !== '' ? reason : 'resource alarm';
    });
    model.on('unblocked', () => {
      session.#heard++;
      session.#blocked = undefined;
    });
    return session;
  }

  readonly #broker: string;
  readonly #markLost: (cause: Error | undefined) => void;
  readonly #returned: ReturnedMessages;
  /**
   * What the broker has sent this session so far (confirms, returns,
   * connection.blocked / unblocked): a round that times out with this
   * unchanged since it began heard nothing at all, its own confirms included.
   */
  #heard = 0;
  /** RabbitMQ's reason while it blocks the connection (connection.blocked), else undefined. */
  #blocked: string | undefined;
  /** Exchanges found missing; checked again at each round that needs one. */
  readonly #missing: Set<string>;
  /** A check of a missing exchange under way: rounds of several targets share it. */
  readonly #rechecks = new Map<string, Promise<string | undefined>>();

  private constructor(broker: string, model: ChannelModel, channel: ConfirmChannel, lost: Promise<Error | undefined>, markLost: (cause: Error | undefined) => void, returned: ReturnedMessages, missing: Set<string>) {
    this.#broker = broker;
    this.#model = model;
    this.#channel = channel;
    this.lost = lost;
    this.#markLost = markLost;
    this.#returned = returned;
    this.#missing = missing;
  }

  async publish(target: ExchangeTarget, events: readonly PlexusEvent[]): Promise<(Error | undefined)[]> {
    if (this.#blocked !== undefined) {
      const blocked = new Error(`RabbitMQ blocked the connection (${this.#blocked}): nothing is published until its resource alarm clears`);
      return events.map(() => blocked);
    }
    if (this.#missing.has(target.exchange)) {
      let why: string | undefined;
      try {
        why = await this.#recheckWithin(target.exchange, target.confirmTimeoutMs);
      } catch (err) {
        // Not even a channel to check on (the connection is going): this round fails, the next one checks again.
        const error = asError(err);
        return events.map(() => error);
      }
      if (why !== undefined) {
        const missing = new Error(`exchange "${target.exchange}" does not exist on broker "${this.#broker}": declare it, or correct the target (RabbitMQ: ${why})`);
        return events.map(() => missing);
      }
    }
    return this.#publish(target, events);
  }

  /** #recheck, bounded: a check with no answer within `ms` fails the round (and may end a silent session). */
  async #recheckWithin(exchange: string, ms: number): Promise<string | undefined> {
    const heard = this.#heard;
    const answer = await settledWithin(this.#recheck(exchange), ms);
    if (answer !== undefined) return answer.value;
    if (this.#heard === heard) this.#endSilent(ms);
    throw new Error(`RabbitMQ did not answer the check of exchange "${exchange}" within ${ms} ms`);
  }

  /** Whether `exchange` exists now: undefined if so (it is no longer missing), else RabbitMQ's answer. */
  #recheck(exchange: string): Promise<string | undefined> {
    let check = this.#rechecks.get(exchange);
    if (check === undefined) {
      check = missingReason(this.#model, exchange).then((why) => {
        if (why === undefined) this.#missing.delete(exchange);
        return why;
      }).finally(() => this.#rechecks.delete(exchange));
      this.#rechecks.set(exchange, check);
    }
    return check;
  }

  #publish(target: ExchangeTarget, events: readonly PlexusEvent[]): Promise<(Error | undefined)[]> {
    const now = Date.now();
    const heard = this.#heard;
    /** Each event's answer as it comes (NO_ANSWER until then): a round that times out keeps the answers it got. */
    const answers: (Error | undefined | typeof NO_ANSWER)[] = events.map(() => NO_ANSWER);
    const confirms = events.map((event, i) => new Promise<Error | undefined>((settle) => {
      const resolve = (answer: Error | undefined) => {
        answers[i] = answer;
        settle(answer);
      };
      const { routingKey, content, options } = toAmqpPublication(event, target.routingKey, now);
      try {
        // The callback runs on ack, on nack, and (with an error) when the channel closes first.
        // A returned message is acked too: its return came first and is taken here.
        const key = returnKey(target.exchange, routingKey, event.id);
        this.#channel.publish(target.exchange, routingKey, content, { ...options, mandatory: true }, (err: unknown) => {
          this.#heard++;
          if (err !== null && err !== undefined) resolve(asError(err));
          else if (this.#returned.take(key)) resolve(new Error(`RabbitMQ returned the message: no queue is bound to exchange "${target.exchange}" for routing key "${routingKey}"`));
          else resolve(undefined);
        });
      } catch (err) {
        // The channel is already closed.
        resolve(asError(err));
      }
    }));
    let answered = false;
    const results = Promise.all(confirms).finally(() => {
      answered = true;
    });
    return withinConfirmTimeout(results, events.length, target.confirmTimeoutMs).then((outcome) => {
      if (!answered && this.#heard === heard) this.#endSilent(target.confirmTimeoutMs);
      // Past the timeout only the events with no answer fail: one the broker confirmed in time, failed too, was published again.
      return outcome.map((late, i) => (answers[i] === NO_ANSWER ? late : (answers[i] as Error | undefined)));
    });
  }

  /**
   * Ends a session whose broker said nothing for a whole round: `lost`
   * settles, so BrokerConnection opens a new connection, and the socket is
   * dropped at once (a close handshake would only wait for an answer that
   * is not coming). Not while RabbitMQ blocks the connection: a blocked
   * connection is unread on purpose, and a new one would be blocked too.
   */
  #endSilent(ms: number): void {
    if (this.#blocked !== undefined) return;
    this.#markLost(new Error(`RabbitMQ answered nothing within ${ms} ms (no confirm, no return, no reply): the connection is silent; opening a new one`));
    void closeAmqpConnection(this.#model, 0);
  }

  async close(): Promise<void> {
    await closeAmqpConnection(this.#model);
  }
}

/** Declares the source's own exchange; answers the targets' other exchanges that do not exist. */
async function checkExchanges(model: ChannelModel, channel: ConfirmChannel, config: AmqpSourceConfig, targets: readonly ExchangeTarget[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const exchange of new Set(targets.map((t) => t.exchange))) {
    if (exchange === '' || exchange.startsWith('amq.')) continue;
    if (config.exchange?.name === exchange) {
      await channel.assertExchange(exchange, config.exchange.type, { durable: config.exchange.durable });
      continue;
    }
    if ((await missingReason(model, exchange)) !== undefined) missing.add(exchange);
  }
  return missing;
}

/**
 * A passive declare of `exchange` on a channel of its own: undefined when it
 * exists, else RabbitMQ's answer (404 NOT_FOUND closes that channel, never
 * the confirm channel). Any other failure (the connection lost) is thrown.
 */
async function missingReason(model: ChannelModel, exchange: string): Promise<string | undefined> {
  const probe: Channel = await model.createChannel();
  // The broker's channel.close arrives as an 'error' event: answered below, not a crash.
  probe.on('error', () => undefined);
  try {
    await probe.checkExchange(exchange);
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return asError(err).message;
    throw err;
  }
  await probe.close().catch(() => undefined);
  return undefined;
}

/** An event of a round whose confirm (or failure) has not come yet. */
const NO_ANSWER = Symbol('no answer');

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Messages the broker returned and whose ack has not come yet, by exchange,
 * routing key and message id (the event id): the return arrives before the
 * ack of the same message, and acks come in publish order, so the next ack
 * for that key is the returned message's.
 */
class ReturnedMessages {
  readonly #pending = new Map<string, number>();

  add(message: ConsumeMessage): void {
    const id = message.properties.messageId as unknown;
    if (typeof id !== 'string') return;
    const key = returnKey(message.fields.exchange, message.fields.routingKey, id);
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  /** Whether a return for `key` waits for its ack (and takes it). */
  take(key: string): boolean {
    const count = this.#pending.get(key);
    if (count === undefined) return false;
    if (count > 1) this.#pending.set(key, count - 1);
    else this.#pending.delete(key);
    return true;
  }
}

function returnKey(exchange: string, routingKey: string, messageId: string): string {
  return JSON.stringify([exchange, routingKey, messageId]);
}
