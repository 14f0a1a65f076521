// Redis pub/sub: channels and glob patterns on a dedicated subscriber
// connection. AT MOST ONCE, by nature: Redis keeps nothing for a subscriber,
// so a message published while the connection is down, or one the host
// cannot accept (store down, more than maxInFlight pending), is gone. Those
// are counted (BrokerStats.dropped, plexus_ingress_events_total{outcome=
// "dropped"}), never hidden; use a stream or a list where every message matters.
import type { RedisPubSubConfig } from '../broker-config.ts';
import type { BrokerIntake } from '../broker-intake.ts';
import type { BrokerMessage } from '../broker-message.ts';
import { decodeBytes } from './redis-entry.ts';
import type { ConsumerRun } from './redis-session.ts';
import { sourceOf } from '../source-name.ts';

export class RedisPubSubConsumer {
  readonly #subscriptions: readonly RedisPubSubConfig[];
  readonly #intake: BrokerIntake;
  /** Messages of each subscription held in the host (each its own maxInFlight). */
  readonly #held = new Map<RedisPubSubConfig, number>();

  constructor(subscriptions: readonly RedisPubSubConfig[], intake: BrokerIntake) {
    this.#subscriptions = subscriptions;
    this.#intake = intake;
  }

  /** Subscribes on `run.reader` (a connection of its own) and takes messages until the run stops. */
  async run(run: ConsumerRun): Promise<void> {
    const byChannel = new Map<string, RedisPubSubConfig>();
    const byPattern = new Map<string, RedisPubSubConfig>();
    for (const sub of this.#subscriptions) {
      if (sub.channel !== undefined) byChannel.set(sub.channel, sub);
      if (sub.pattern !== undefined) byPattern.set(sub.pattern, sub);
    }
    const subscriber = run.reader;
    // Until the unsubscribe replies are in, Redis goes on pushing messages it
    // counts as delivered: they are taken (a stop drains intake after this
    // run ends). One that still comes after is counted as dropped, never ignored.
    let listening = true;
    const received = (sub: RedisPubSubConfig | undefined, channel: Buffer, message: Buffer) => {
      if (!sub) return;
      if (listening) this.#take(sub, channel.toString(), message);
      else this.#intake.dropped('unsubscribed', false);
    };
    // The Buffer events: a message that is not UTF-8 reaches plugins as its bytes, not as replacement characters.
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => received(byChannel.get(channel.toString()), channel, message));
    subscriber.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) => received(byPattern.get(pattern.toString()), channel, message));
    try {
      if (byChannel.size > 0) await subscriber.subscribe(...byChannel.keys());
      if (byPattern.size > 0) await subscriber.psubscribe(...byPattern.keys());
      await run.stopped;
      // Stop listening at once. Names are given explicitly: ioredis 6 over
      // RESP3 never resolves an argument-less UNSUBSCRIBE.
      if (byChannel.size > 0) await subscriber.unsubscribe(...byChannel.keys()).catch(() => undefined);
      if (byPattern.size > 0) await subscriber.punsubscribe(...byPattern.keys()).catch(() => undefined);
    } finally {
      listening = false;
    }
  }

  #take(sub: RedisPubSubConfig, channel: string, bytes: Buffer): void {
    const held = this.#held.get(sub) ?? 0;
    if (held >= sub.maxInFlight) {
      this.#intake.dropped('over maxInFlight', false);
      return;
    }
    const source = sourceOf('redis/channel:', channel);
    const done = () => this.#held.set(sub, (this.#held.get(sub) ?? 1) - 1);
    const { decoded, body, contentType } = decodeBytes(bytes, { source, now: Date.now(), type: sub.type ?? channel });
    const message: BrokerMessage = {
      decoded, source, body, contentType,
      // Nothing to acknowledge: Redis forgot the message when it sent it.
      ack: () => {
        done();
        return true;
      },
      refuse: () => done(),
      release: () => {
        done();
        this.#intake.dropped('not accepted', true);
      },
    };
    this.#held.set(sub, held + 1);
    void this.#intake.take([message]);
  }
}
