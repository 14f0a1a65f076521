// One connection to RabbitMQ for egress, with one confirm channel: every
// publish waits for the broker's ack (its callback), so an event counts as
// published only once RabbitMQ has taken responsibility for it (persistent
// messages on durable queues: written to disk). A nack, the channel closing
// with confirms outstanding, or no confirm within the timeout fails the
// event, and the delivery engine retries it with backoff.
//
// Egress has its own connection, not the ingress's: RabbitMQ throttles a
// publishing connection under a resource alarm, and that must not stall
// consumption (or the other way round).
//
// At open, the exchanges the targets publish to are checked (passive
// declare): a missing one fails the session, so the connection backs off
// and says why, instead of every publish closing the channel. The source's
// own configured exchange is declared with its settings, as the ingress
// does; the default exchange and amq.* always exist.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { AmqpSourceConfig } from '../ingress/broker-config.ts';
import { openAmqpConnection } from '../ingress/amqp/amqp-connection.ts';
import type { ExchangeTarget } from './egress-config.ts';
import { toAmqpPublication } from './egress-message.ts';
import { withinConfirmTimeout, type PublishSession } from './publish-session.ts';

export class AmqpPublishSession implements PublishSession<ExchangeTarget> {
  readonly lost: Promise<Error | undefined>;
  readonly #model: ChannelModel;
  readonly #channel: ConfirmChannel;

  static async open(config: AmqpSourceConfig, targets: readonly ExchangeTarget[]): Promise<AmqpPublishSession> {
    const { model, lost, markLost, noteError, lastError } = await openAmqpConnection(config, `plexus egress ${config.name}`);
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', noteError);
      channel.on('close', () => {
        markLost(lastError() ?? new Error('channel closed'));
        void model.close().catch(() => undefined);
      });
      await checkExchanges(channel, config, targets);
      return new AmqpPublishSession(model, channel, lost);
    } catch (err) {
      await model.close().catch(() => undefined);
      throw lastError() ?? err;
    }
  }

  private constructor(model: ChannelModel, channel: ConfirmChannel, lost: Promise<Error | undefined>) {
    this.#model = model;
    this.#channel = channel;
    this.lost = lost;
  }

  publish(target: ExchangeTarget, events: readonly PlexusEvent[]): Promise<(Error | undefined)[]> {
    const now = Date.now();
    const confirms = events.map((event) => new Promise<Error | undefined>((resolve) => {
      const { routingKey, content, options } = toAmqpPublication(event, target.routingKey, now);
      try {
        // The callback runs on ack, on nack, and (with an error) when the channel closes first.
        this.#channel.publish(target.exchange, routingKey, content, options, (err: unknown) => resolve(err === null || err === undefined ? undefined : asError(err)));
      } catch (err) {
        // The channel is already closed.
        resolve(asError(err));
      }
    }));
    return withinConfirmTimeout(Promise.all(confirms), events.length);
  }

  async close(): Promise<void> {
    await this.#model.close().catch(() => undefined);
  }
}

async function checkExchanges(channel: ConfirmChannel, config: AmqpSourceConfig, targets: readonly ExchangeTarget[]): Promise<void> {
  for (const exchange of new Set(targets.map((t) => t.exchange))) {
    if (exchange === '' || exchange.startsWith('amq.')) continue;
    if (config.exchange?.name === exchange) await channel.assertExchange(exchange, config.exchange.type, { durable: config.exchange.durable });
    else await channel.checkExchange(exchange);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
