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
//
// A settled tag behind one still in flight waits for it only so long
// (holdMs): then it is acked on its own. One slow or parked message (a
// plugin at its timeout, a disabled plugin's queued delivery) must not hold
// back the acks of everything after it, or the consumer stops at its
// prefetch and every plugin on the channel starves.
//
// An ack queued here is sent later, so it can still be lost: the channel
// closes first (a dropped connection), and RabbitMQ redelivers the message.
// close() reports each such ack to the one who queued it, so the intake can
// recognise the redelivery of an event that already settled.
import type { Channel, Message } from 'amqplib';

/** How long a settled tag waits behind an unsettled lower one before it is acked on its own. */
export const STRAGGLER_HOLD_MS = 100;

interface Held {
  message: Message;
  lost: (() => void) | undefined;
  at: number;
}

export interface AckWindowOptions {
  holdMs?: number;
  now?: () => number;
}

export class AmqpAckWindow {
  readonly #channel: Channel;
  readonly #holdMs: number;
  readonly #now: () => number;
  /** Lowest tag not yet known settled. */
  #next = 1;
  /** Settled tags above #next: the ack still to send, null once nacked or acked on its own. */
  readonly #settled = new Map<number, Held | null>();
  #flushScheduled = false;
  #holdTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(channel: Channel, options: AckWindowOptions = {}) {
    this.#channel = channel;
    this.#holdMs = options.holdMs ?? STRAGGLER_HOLD_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Queues the ack of `message`; false when the channel is gone. `lost` runs if the channel goes before the ack is sent. */
  ack(message: Message, lost?: () => void): boolean {
    if (this.#closed) return false;
    this.#mark(message.fields.deliveryTag, { message, lost, at: this.#now() });
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

  /** Sends every queued ack now, those behind a tag in flight one by one: a graceful close calls it while the channel is open. */
  flush(): void {
    if (this.#closed) return;
    this.#ackPrefix();
    this.#ackHeld(Infinity);
  }

  /** No more frames: the channel is gone (its unacknowledged messages are redelivered). Acks not sent are reported lost. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#holdTimer);
    const unsent = [...this.#settled.values()];
    this.#settled.clear();
    for (const held of unsent) held?.lost?.();
  }

  #mark(tag: number, held: Held | null): void {
    this.#settled.set(tag, held);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#turnEnded());
  }

  #turnEnded(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    this.#ackPrefix();
    if (this.#settled.size > 0 && this.#holdTimer === undefined) this.#armHold(this.#holdMs);
  }

  /** One multiple ack for the longest settled run from #next. */
  #ackPrefix(): void {
    let end = this.#next;
    let last: Held | undefined;
    for (; this.#settled.has(end); end++) last = this.#settled.get(end) ?? last;
    if (end === this.#next) return;
    if (last !== undefined) {
      try {
        this.#channel.ack(last.message, true);
      } catch {
        this.close();
        return;
      }
    }
    for (let tag = this.#next; tag < end; tag++) this.#settled.delete(tag);
    this.#next = end;
  }

  /** Acks on its own each held tag settled at or before `cutoff`; answers when the oldest one left was settled. */
  #ackHeld(cutoff: number): number | undefined {
    let oldest: number | undefined;
    for (const [tag, held] of this.#settled) {
      if (held === null) continue;
      if (held.at > cutoff) {
        oldest = Math.min(oldest ?? held.at, held.at);
        continue;
      }
      try {
        this.#channel.ack(held.message, false);
      } catch {
        this.close();
        return undefined;
      }
      this.#settled.set(tag, null);
    }
    return oldest;
  }

  #armHold(delayMs: number): void {
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      if (this.#closed) return;
      this.#ackPrefix();
      const oldest = this.#ackHeld(this.#now() - this.#holdMs);
      if (oldest !== undefined && !this.#closed) this.#armHold(Math.max(1, oldest + this.#holdMs - this.#now()));
    }, delayMs);
    // An idle channel's timer must not keep a stopping process alive.
    this.#holdTimer.unref();
  }
}
