// A publisher for the fault tests, written the way a careful producer would
// be (and with none of the ingress code): a confirm channel, persistent
// messages, and on any failure a reconnect and a re-publish of the chunk that
// was not confirmed. A chunk that was partly stored before the failure is
// stored twice: `republished` counts the messages sent again, an upper bound
// on those broker-side duplicates.
import { connect, type ConfirmChannel, type ChannelModel } from 'amqplib';

export class ResilientPublisher {
  published = 0;
  republished = 0;
  reconnects = 0;
  #model: ChannelModel | undefined;
  #channel: ConfirmChannel | undefined;

  /** Publishes `body(i)` for i in [0, count), `chunk` at a time, pausing `pauseMs` between chunks. */
  async run(exchange: string, routingKey: string, count: number, body: (i: number) => string, options: { chunk: number; pauseMs: number }): Promise<void> {
    for (let start = 0; start < count; start += options.chunk) {
      const end = Math.min(count, start + options.chunk);
      for (;;) {
        try {
          const channel = await this.#ensure();
          for (let i = start; i < end; i++) channel.publish(exchange, routingKey, Buffer.from(body(i)), { persistent: true, messageId: `m-${i}` });
          await channel.waitForConfirms();
          break;
        } catch {
          this.republished += end - start;
          await this.#drop();
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      this.published = end;
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  }

  /** Ready messages in `queue`, retried across a broker restart. */
  async ready(queue: string): Promise<number> {
    for (;;) {
      try {
        return (await (await this.#ensure()).checkQueue(queue)).messageCount;
      } catch {
        await this.#drop();
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  async close(): Promise<void> {
    await this.#drop();
  }

  async #ensure(): Promise<ConfirmChannel> {
    if (this.#channel) return this.#channel;
    const model = await connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' });
    model.on('error', () => undefined);
    model.on('close', () => {
      this.#channel = undefined;
      this.#model = undefined;
    });
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    if (this.#model !== undefined || this.published > 0) this.reconnects++;
    this.#model = model;
    this.#channel = channel;
    return channel;
  }

  async #drop(): Promise<void> {
    const model = this.#model;
    this.#model = undefined;
    this.#channel = undefined;
    await model?.close().catch(() => undefined);
  }
}
