// One session with Redis: a command connection (acks, claims, recovery) and
// one connection per stream, list and for pub/sub, because a blocking read
// (XREADGROUP BLOCK, BLMOVE) or a subscription holds its connection. The
// session is lost when any of them ends or a consumer's command fails;
// BrokerConnection then opens a fresh one, and every consumer resumes from
// its own pending entries or processing list.
import type { Redis } from 'ioredis';
import type { RedisSourceConfig } from '../broker-config.ts';
import type { DepthReading } from '../broker-depth.ts';
import type { IngressSession } from '../broker-ingress.ts';
import { connectWithin, redisClient } from './redis-client-options.ts';

/** Longest wait for the reads in progress to return when intake stops (a blocking read returns within its own timeout). */
const STOP_INTAKE_MS = 10_000;

/** What a consumer runs on, for as long as `active`. */
export interface ConsumerRun {
  readonly active: boolean;
  /** Settles when the session stops taking work. */
  readonly stopped: Promise<void>;
  /** A connection of the consumer's own, for blocking reads or subscriptions. */
  readonly reader: Redis;
  /** Shared by the session's consumers. */
  readonly commands: Redis;
}

export interface SessionConsumer {
  /** For connection names and errors. */
  readonly label: string;
  run(run: ConsumerRun): Promise<void>;
  /** Sends the acknowledgements still queued (before the session closes). */
  flush?(): Promise<void>;
  /** Depth and lag of the consumer's source, asked on the command connection. */
  depth?(commands: Redis): Promise<readonly DepthReading[]>;
}

export class RedisSession implements IngressSession {
  readonly lost: Promise<Error | undefined>;
  readonly #clients: Redis[] = [];
  #consumers: readonly SessionConsumer[] = [];
  #commands: Redis | undefined;
  readonly #loops: Promise<void>[] = [];
  #markLost: (cause: Error | undefined) => void = () => undefined;
  #stop: () => void = () => undefined;
  readonly #stopped: Promise<void>;
  #active = true;
  #lastError: Error | undefined;

  static async open(config: RedisSourceConfig, consumerName: string, consumers: readonly SessionConsumer[]): Promise<RedisSession> {
    const session = new RedisSession();
    try {
      const commands = await session.#connect(config, `plexus ${consumerName} ${config.name} commands`);
      session.#commands = commands;
      session.#consumers = consumers;
      const readers: Redis[] = [];
      for (const consumer of consumers) readers.push(await session.#connect(config, `plexus ${consumerName} ${config.name} ${consumer.label}`));
      consumers.forEach((consumer, i) => {
        const reader = readers[i] as Redis;
        const run: ConsumerRun = {
          get active() {
            return session.#active;
          },
          stopped: session.#stopped,
          reader,
          commands,
        };
        session.#loops.push(consumer.run(run).catch((err: unknown) => {
          // A failed command after stopIntake is the shutdown, not a lost session.
          if (session.#active) session.#markLost(err instanceof Error ? err : new Error(String(err)));
        }));
      });
      return session;
    } catch (err) {
      await session.close();
      throw session.#lastError ?? err;
    }
  }

  private constructor() {
    this.lost = new Promise((resolve) => {
      this.#markLost = resolve;
    });
    this.#stopped = new Promise((resolve) => {
      this.#stop = resolve;
    });
  }

  /** Consumers stop reading (a blocking read returns within its timeout); what they took still finishes. */
  async stopIntake(): Promise<void> {
    this.#active = false;
    this.#stop();
    // Bounded: a read on a half-dead socket must not hold up the shutdown; close() ends it anyway.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_INTAKE_MS);
    });
    await Promise.race([Promise.allSettled(this.#loops), bound]);
    clearTimeout(timer);
  }

  /** Each consumer's readings; one whose source cannot be read (a deleted key) is left out, not the rest. */
  async depth(): Promise<readonly DepthReading[]> {
    const commands = this.#commands;
    if (commands === undefined) return [];
    const readings: DepthReading[] = [];
    for (const consumer of this.#consumers) {
      if (consumer.depth) readings.push(...(await consumer.depth(commands).catch(() => [])));
    }
    return readings;
  }

  async close(): Promise<void> {
    this.#active = false;
    this.#stop();
    for (const client of this.#clients) client.disconnect();
  }

  async #connect(config: RedisSourceConfig, name: string): Promise<Redis> {
    const client = await redisClient(config, name);
    this.#clients.push(client);
    // Without an 'error' listener an EventEmitter error would crash the host.
    client.on('error', (err: Error) => {
      this.#lastError = err;
    });
    client.on('end', () => this.#markLost(this.#lastError ?? new Error('Redis connection closed')));
    // Bounded like the connect; open() then disconnects every client.
    await connectWithin(client, config.connectTimeoutMs, `the connection ${name}`);
    return client;
  }
}
