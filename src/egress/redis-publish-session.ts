// One connection to Redis for egress: a batch is one pipeline of XADDs (one
// round trip), and an event counts as published once its XADD replied with
// an entry id. An error reply, a lost connection or no reply within the
// timeout fails the event and the delivery engine retries it; a reply lost
// after Redis stored the entry makes that retry a duplicate (same CloudEvent
// id: at least once, as everywhere in Plexus).
//
// A batch that gets no reply within the timeout ends the session: a silent
// connection is replaced, not waited on round after round. So does an open
// that gets no answer within it.
//
// ioredis' own reconnection and offline queue are off (as for the ingress,
// redis-client-options.ts): a command on a dead connection fails at once,
// and BrokerConnection opens the next session with backoff.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Redis } from 'ioredis';
import type { RedisSourceConfig } from '../ingress/broker-config.ts';
import { connectWithin, redisClient } from '../ingress/redis/redis-client-options.ts';
import type { StreamTarget } from './egress-config.ts';
import { toStreamFields } from './egress-message.ts';
import { withinConfirmTimeout, type PublishSession } from './publish-session.ts';

export class RedisPublishSession implements PublishSession<StreamTarget> {
  readonly lost: Promise<Error | undefined>;
  readonly #client: Redis;

  static async open(config: RedisSourceConfig, targets: readonly StreamTarget[]): Promise<RedisPublishSession> {
    const client = await redisClient(config, `plexus egress ${config.name}`);
    let lastError: Error | undefined;
    let markLost: (cause: Error | undefined) => void = () => undefined;
    const lost = new Promise<Error | undefined>((resolve) => {
      markLost = resolve;
    });
    // Without an 'error' listener an EventEmitter error would crash the host.
    client.on('error', (err: Error) => {
      lastError = err;
    });
    client.on('end', () => markLost(lastError ?? new Error('Redis connection closed')));
    try {
      // Bounded like a batch (the longest of the targets').
      await connectWithin(client, Math.max(...targets.map((t) => t.confirmTimeoutMs)), 'the egress connection');
    } catch (err) {
      client.disconnect();
      throw lastError ?? err;
    }
    return new RedisPublishSession(client, lost);
  }

  private constructor(client: Redis, lost: Promise<Error | undefined>) {
    this.#client = client;
    this.lost = lost;
  }

  publish(target: StreamTarget, events: readonly PlexusEvent[]): Promise<(Error | undefined)[]> {
    // MAXLEN ~: trimmed in whole macro nodes, which is what keeps XADD cheap.
    const trim = target.maxLen === undefined ? [] : ['MAXLEN', '~', target.maxLen];
    const pipeline = this.#client.pipeline();
    for (const event of events) pipeline.call('XADD', [target.stream, ...trim, '*', ...toStreamFields(event)]);
    let replied = false;
    const replies = pipeline.exec().then(
      (results) => events.map((_, i) => {
        const [err, id] = results?.[i] ?? [new Error('no reply'), null];
        if (err) return err;
        return typeof id === 'string' ? undefined : new Error('XADD: unexpected reply');
      }),
      (err: unknown) => events.map(() => (err instanceof Error ? err : new Error(String(err)))),
    ).finally(() => {
      replied = true;
    });
    return withinConfirmTimeout(replies, events.length, target.confirmTimeoutMs).then((results) => {
      // No reply at all: the connection went silent (a flow a firewall or NAT dropped, a frozen
      // server). Its socket stays open until the kernel gives up on it, many minutes later, and
      // every round on it would wait out the timeout again: it is dropped, so `lost` settles
      // and BrokerConnection opens a new one.
      if (!replied) this.#client.disconnect();
      return results;
    });
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
