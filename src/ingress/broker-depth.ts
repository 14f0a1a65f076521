// How far behind a broker source is, as the broker sees it: messages ready
// in a RabbitMQ queue, entries a Redis stream group holds pending or has not
// delivered yet (lag), items waiting in a Redis list. Asking costs a round
// trip per source, so it is polled at a modest interval on the open session
// (never at scrape time, where a slow broker would stall /metrics) and read
// by the gauges from here. While the session is down nothing is asked (no
// spinning against a dead broker) and nothing is reported: a gauge that is
// absent is honest, a stale one is not.
import { settledWithin } from './broker-reconnect-delay.ts';

export type DepthMetric = 'queue_depth' | 'stream_pending' | 'stream_lag' | 'list_length';

export interface DepthReading {
  /** The event source the messages arrive as: `amqp/orders`, `redis/stream:events`, `redis/list:tasks`. */
  readonly source: string;
  readonly metric: DepthMetric;
  readonly value: number;
}

export const DEPTH_POLL_MS = 5000;

export class DepthPoller {
  readonly #read: () => Promise<readonly DepthReading[]> | undefined;
  readonly #intervalMs: number;
  #readings: readonly DepthReading[] = [];
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  /** `read` answers undefined when there is no open session to ask. */
  constructor(read: () => Promise<readonly DepthReading[]> | undefined, intervalMs = DEPTH_POLL_MS) {
    this.#read = read;
    this.#intervalMs = intervalMs;
  }

  get readings(): readonly DepthReading[] {
    return this.#readings;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#readings = [];
  }

  /** One round; a round still waiting for its answers is not doubled. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    const pending = this.#read();
    if (pending === undefined) {
      this.#readings = [];
      return;
    }
    this.#polling = true;
    try {
      // Bounded by the interval: a half-dead socket must not keep an old answer on display.
      const answer = await settledWithin(pending, this.#intervalMs);
      this.#readings = answer?.value ?? [];
    } catch {
      this.#readings = [];
    } finally {
      this.#polling = false;
    }
  }
}
