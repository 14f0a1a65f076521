// What every broker consumer does with the messages it takes, whatever the
// broker: decoded envelopes go to host.accept in one batch, and each message
// is acknowledged only when onSettled says every subscribed plugin's first
// outcome is durable (CONTRACT §6). Refused messages are recorded in the host
// DLQ first, then dead-lettered on the broker. Messages the host could not
// accept are released for redelivery after a pause (no hot loop while the
// store is down).
//
// Events with a stable id (a message id, a CloudEvent id, a stream entry id)
// are tracked by (source, id): a second message for an event still in flight
// is acknowledged together with the first instead of being accepted twice,
// and a redelivery of one that already settled (its ack was lost with the
// connection) is acknowledged at once. That keeps a broker restart from
// turning every unacknowledged message into a duplicate execution.
import type { PlexusError, PlexusEvent } from '@plexus/plugin-sdk';
import type { BrokerMessage } from './broker-message.ts';
import type { Host } from '../host/host.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { HostMetrics } from '../observability/host-metrics.ts';
import type { Store } from '../store/store.ts';
import { PendingCount } from './broker-pending.ts';
import { RecentKeys } from './broker-recent-keys.ts';
import { RefusalRecorder } from './broker-refusal.ts';
import type { BrokerStats } from './broker-stats.ts';

/** The slice of the host the intake uses: accept, the store's writes for refusals, and (when it has them) metrics. */
export type IntakeHost = Pick<Host, 'accept' | 'config'> & { store: Pick<Store, 'accept' | 'settle'>; metrics?: Pick<HostMetrics, 'ingress'> };

interface Entry {
  key: string | undefined;
  messages: BrokerMessage[];
  settled: boolean;
}

/** How long a message the host could not accept waits before it is given back. */
const RELEASE_DELAY_MS = 1000;
/** Settled keys remembered for acks lost with a connection. */
const SETTLED_MEMORY = 100_000;

export class BrokerIntake {
  readonly #host: IntakeHost;
  readonly #stats: BrokerStats;
  readonly #logger: HostLogger;
  readonly #name: string;
  readonly #refusals: RefusalRecorder;
  readonly #inFlight = new Map<string, Entry>();
  readonly #settled = new RecentKeys(SETTLED_MEMORY);
  readonly #pending = new PendingCount();

  constructor(options: { host: IntakeHost; stats: BrokerStats; logger: HostLogger; name: string }) {
    this.#host = options.host;
    this.#stats = options.stats;
    this.#logger = options.logger;
    this.#name = options.name;
    this.#refusals = new RefusalRecorder(options.host.store, options.name, options.host.config.delivery.dedupWindowMs);
  }

  /** Messages taken and not yet acknowledged, refused or released. */
  get pending(): number {
    return this.#pending.count;
  }

  /** Resolves once the batch is durable (accepted or refused); acks follow as outcomes settle. */
  async take(messages: readonly BrokerMessage[]): Promise<void> {
    const events: PlexusEvent[] = [];
    // entries[i] is events[i]'s: onSettled names the event by its position,
    // so no map keyed by event objects (each key would cost the object a hash).
    const entries: Entry[] = [];
    const refusals: Promise<void>[] = [];
    this.#stats.received += messages.length;
    this.#count('received', messages.length);
    for (const message of messages) {
      const decoded = message.decoded;
      if (!decoded.ok) {
        this.#pending.add();
        refusals.push(this.#refuse(message, decoded.error));
        continue;
      }
      const key = decoded.stableId ? `${decoded.event.source}\u0000${decoded.event.id}` : undefined;
      if (key !== undefined) {
        const existing = this.#inFlight.get(key);
        if (existing) {
          this.#pending.add();
          existing.messages.push(message);
          this.#stats.joined++;
          continue;
        }
        if (this.#settled.has(key)) {
          this.#stats.alreadySettled++;
          this.#ack(message, key);
          continue;
        }
      }
      const entry: Entry = { key, messages: [message], settled: false };
      if (key !== undefined) this.#inFlight.set(key, entry);
      entries.push(entry);
      events.push(decoded.event);
      this.#pending.add();
    }
    if (events.length > 0) await this.#accept(events, entries);
    await Promise.all(refusals);
  }

  /**
   * An at-most-once message (pub/sub) that is gone: counted, never hidden.
   * `taken`: it already went through take() (and was counted as received there).
   */
  dropped(reason: string, taken: boolean): void {
    if (!taken) {
      this.#stats.received++;
      this.#count('received', 1);
    }
    this.#stats.dropped++;
    this.#count('dropped', 1, reason);
  }

  /** Resolves when fewer than `count` messages are pending (consumers that pull use it as backpressure). */
  below(count: number): Promise<void> {
    return this.#pending.below(count);
  }

  /** Resolves true once nothing is pending, false if `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    return this.#pending.drained(timeoutMs);
  }

  async #accept(events: PlexusEvent[], entries: Entry[]): Promise<void> {
    try {
      await this.#host.accept(events, (index) => {
        const entry = entries[index];
        if (entry) this.#settle(entry);
      });
      this.#stats.accepted += events.length;
      this.#count('accepted', events.length);
    } catch (err) {
      this.#logger.warn({ ingress: this.#name, count: events.length, err: (err as Error).message }, 'the host could not accept broker messages; releasing them for redelivery');
      for (const entry of entries) {
        if (entry.settled) continue;
        entry.settled = true;
        if (entry.key !== undefined) this.#inFlight.delete(entry.key);
        for (const message of entry.messages) this.#release(message);
      }
    }
  }

  #settle(entry: Entry): void {
    entry.settled = true;
    if (entry.key !== undefined) this.#inFlight.delete(entry.key);
    for (const message of entry.messages) {
      this.#ack(message, entry.key);
      this.#done();
    }
  }

  #ack(message: BrokerMessage, key: string | undefined): void {
    if (message.ack(() => this.#ackLost(key))) this.#stats.acked++;
    else this.#ackLost(key, false);
  }

  /** An ack that never reached the broker: its redelivery is acknowledged at once, not accepted again. */
  #ackLost(key: string | undefined, counted = true): void {
    if (counted) this.#stats.acked--;
    this.#stats.ackFailures++;
    if (key !== undefined) this.#settled.add(key);
  }

  async #refuse(message: BrokerMessage, error: PlexusError): Promise<void> {
    try {
      const refusal = { source: message.source, body: message.body, error, ...(message.contentType === undefined ? {} : { contentType: message.contentType }) };
      const id = await this.#refusals.record(refusal);
      this.#stats.refused++;
      this.#count('refused', 1, error.code);
      this.#logger.warn({ ingress: this.#name, source: message.source, dlq: id, code: error.code, err: error.message }, 'broker message refused and dead-lettered');
      message.refuse();
      this.#done();
    } catch (err) {
      this.#logger.error({ ingress: this.#name, err: (err as Error).message }, 'could not record a refused broker message; releasing it for redelivery');
      this.#release(message);
    }
  }

  #release(message: BrokerMessage): void {
    this.#stats.released++;
    const timer = setTimeout(() => {
      message.release();
      this.#done();
    }, RELEASE_DELAY_MS);
    timer.unref();
  }

  #done(): void {
    this.#pending.done();
  }

  /** plexus_ingress_events_total, labelled by the ingress (`amqp:orders`): bounded, unlike channel names. */
  #count(outcome: 'received' | 'accepted' | 'refused' | 'dropped', n: number, reason = ''): void {
    this.#host.metrics?.ingress.inc({ source: this.#name, outcome, reason }, n);
  }
}
