// Acknowledgements of one channel, coalesced. Outcomes settle out of order,
// but RabbitMQ numbers a channel's deliveries 1, 2, 3…, and `basic.ack` with
// `multiple` acknowledges every outstanding tag up to one: so once per turn
// of the event loop the longest settled prefix goes out as a single frame.
// At prefetch 1000 that is one frame instead of hundreds, for RabbitMQ to
// process as much as for us. A nack (refused or released message) goes out
// at once for its own tag and just counts as settled here: a later multiple
// ack skips tags the broker no longer holds. The multiple ack itself must
// name a tag the broker still holds (RabbitMQ closes the channel on an
// unknown one), so it names the last acked, never a nacked, tag.
import type { Channel, Message } from 'amqplib';

export class AmqpAckWindow {
  readonly #channel: Channel;
  /** Lowest tag not yet known settled. */
  #next = 1;
  /** Settled tags above #next: the message when it is to be acked, null when it was nacked. */
  readonly #settled = new Map<number, Message | null>();
  #flushScheduled = false;
  #closed = false;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** No more frames: the channel is gone (its unacknowledged messages are redelivered). */
  close(): void {
    this.#closed = true;
  }

  /** Queues the ack of `message`; false when the channel is gone. */
  ack(message: Message): boolean {
    if (this.#closed) return false;
    this.#mark(message.fields.deliveryTag, message);
    return true;
  }

  /** Nacks `message` now (dead-letter it, or requeue it for redelivery); false when the channel is gone. */
  nack(message: Message, requeue: boolean): boolean {
    if (this.#closed) return false;
    try {
      this.#channel.nack(message, false, requeue);
    } catch {
      return false;
    }
    this.#mark(message.fields.deliveryTag, null);
    return true;
  }

  #mark(tag: number, toAck: Message | null): void {
    this.#settled.set(tag, toAck);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    let last: Message | undefined;
    while (this.#settled.has(this.#next)) {
      const message = this.#settled.get(this.#next);
      if (message) last = message;
      this.#settled.delete(this.#next);
      this.#next++;
    }
    if (last === undefined) return;
    try {
      this.#channel.ack(last, true);
    } catch {
      this.#closed = true;
    }
  }
}
