// A raw amqplib connection for the tests: it publishes and inspects the way
// any other client would, without going through the ingress code.
import { connect, type Channel, type ChannelModel, type ConsumeMessage, type Options } from 'amqplib';

export const AMQP_URL = 'amqp://127.0.0.1:5672';

export class RawAmqp {
  readonly model: ChannelModel;
  readonly channel: Channel;

  private constructor(model: ChannelModel, channel: Channel) {
    this.model = model;
    this.channel = channel;
  }

  static async open(): Promise<RawAmqp> {
    const model = await connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' });
    model.on('error', () => undefined);
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    return new RawAmqp(model, channel);
  }

  publish(exchange: string, routingKey: string, body: string | Buffer, options: Options.Publish = {}): void {
    this.channel.publish(exchange, routingKey, typeof body === 'string' ? Buffer.from(body) : body, { persistent: true, ...options });
  }

  /** A throwaway topic exchange with a queue bound by `pattern`, consumed (no acks) into `onMessage`. */
  async sink(exchange: string, queue: string, pattern: string, onMessage: (message: ConsumeMessage) => void): Promise<void> {
    await this.channel.assertExchange(exchange, 'topic', { durable: false });
    await this.channel.assertQueue(queue, { durable: false });
    await this.channel.bindQueue(queue, exchange, pattern);
    await this.channel.consume(queue, (m) => {
      if (m) onMessage(m);
    }, { noAck: true });
  }

  /** Waits until RabbitMQ has taken every publish so far (a round trip on the same channel). */
  async settle(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Removes what a test declared; a channel that fails on one name is replaced so the rest still go. */
  async cleanup(queues: string[], exchanges: string[] = []): Promise<void> {
    let channel = this.channel;
    for (const [kind, name] of [...queues.map((q) => ['queue', q] as const), ...exchanges.map((e) => ['exchange', e] as const)]) {
      try {
        if (kind === 'queue') await channel.deleteQueue(name);
        else await channel.deleteExchange(name);
      } catch {
        channel = await this.model.createChannel();
        channel.on('error', () => undefined);
      }
    }
    await this.model.close().catch(() => undefined);
  }
}
