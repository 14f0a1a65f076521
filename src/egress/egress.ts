// The host's egress: one supervised connection per broker its targets
// publish through (reconnect with backoff and a circuit breaker, as for
// consumption), and one delivery lane per target. The host adds the lanes to
// the engine next to the plugins, so an emitted event matching a target gets
// a delivery in the same transaction as its cause's outcome (the outbox):
// durable before it is published, settled once the broker confirmed it,
// retried with backoff while the broker is away, dead-lettered only when the
// target's retry policy says so (by default: never, see EGRESS_RETRY).
//
// Metrics: plexus_egress_connected{broker}, plexus_egress_published_total
// {target}; per-lane queue depth, retries and dead letters are the plugin
// metrics with plugin="egress:<name>".
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { BrokersConfig } from '../ingress/broker-config.ts';
import { BrokerConnection, type BrokerSession } from '../ingress/broker-connection.ts';
import { connectionSecrets, displayUrl } from '../config/connection-secrets.ts';
import { AmqpPublishSession } from './amqp-publish-session.ts';
import type { EgressTarget, ExchangeTarget, StreamTarget } from './egress-config.ts';
import { egressExecutor, type EgressReport } from './egress-executor.ts';
import { egressLane } from './egress-lane.ts';
import type { PublishSession } from './publish-session.ts';
import { RedisPublishSession } from './redis-publish-session.ts';

export interface EgressOptions {
  targets: readonly EgressTarget[];
  brokers: BrokersConfig;
  logger: HostLogger;
  /** The host's registry (one per host). */
  registry: Registry;
}

interface Connection {
  connection: BrokerConnection<BrokerSession>;
  url: string;
  targets: readonly EgressTarget[];
}

/** Publish failures on an open connection are logged at most this often per target (the DLQ keeps every last error). */
const WARN_EVERY_MS = 10_000;

export class Egress {
  readonly lanes: ActivePlugin[] = [];
  readonly #connections = new Map<string, Connection>();
  readonly #logger: HostLogger;
  readonly #published: Counter<'target'>;
  readonly #report: EgressReport;
  readonly #warnedAt = new Map<string, number>();

  constructor(options: EgressOptions) {
    const { targets, brokers, logger, registry } = options;
    this.#logger = logger;
    this.#published = new Counter({ name: 'plexus_egress_published_total', help: 'Events published to a broker and confirmed by it, per egress target.', labelNames: ['target'] as const, registers: [registry] });
    this.#report = {
      published: (target, count) => this.#published.inc({ target: target.name }, count),
      failed: (target, count, error) => this.#warn(target, count, error.message),
    };
    const exchanges = targets.filter((t): t is ExchangeTarget => t.kind === 'amqp');
    const streams = targets.filter((t): t is StreamTarget => t.kind === 'redis');
    for (const source of brokers.amqp) {
      const mine = exchanges.filter((t) => t.broker === source.name);
      if (mine.length === 0) continue;
      const name = `egress:amqp:${source.name}`;
      this.#add(name, source.url, mine, new BrokerConnection<PublishSession<ExchangeTarget>>({
        name, open: () => AmqpPublishSession.open(source, mine), reconnect: source.reconnect, breaker: source.breaker, logger, secrets: connectionSecrets(source),
      }));
    }
    for (const source of brokers.redis) {
      const mine = streams.filter((t) => t.broker === source.name);
      if (mine.length === 0) continue;
      const name = `egress:redis:${source.name}`;
      this.#add(name, source.url, mine, new BrokerConnection<PublishSession<StreamTarget>>({
        name, open: () => RedisPublishSession.open(source, mine), reconnect: source.reconnect, breaker: source.breaker, logger, secrets: connectionSecrets(source),
      }));
    }
    const connections = this.#connections;
    new Gauge({ name: 'plexus_egress_connected', help: 'Egress connection up (1) or not (0), per broker.', labelNames: ['broker'] as const, registers: [registry], collect() {
      this.reset();
      for (const [name, { connection }] of connections) this.set({ broker: name }, connection.state === 'connected' ? 1 : 0);
    } });
  }

  /** An egress connection by name (`egress:amqp:main`), for tests and diagnostics. */
  connection(name: string): BrokerConnection<BrokerSession> | undefined {
    return this.#connections.get(name)?.connection;
  }

  /** Starts every connection; resolves after each one's first attempt, connected or not (they keep trying). */
  async start(): Promise<void> {
    await Promise.all([...this.#connections].map(async ([name, { connection, url, targets }]) => {
      await connection.start();
      const fields = { broker: name, url: displayUrl(url), targets: targets.map((t) => t.name) };
      if (connection.state === 'connected') this.#logger.info(fields, 'egress connected');
      else this.#logger.warn({ ...fields, state: connection.state }, 'egress broker not reachable yet; emitted events wait durably until it is');
    }));
  }

  /** After the engine stopped (no batch in flight): closes every connection. */
  async stop(): Promise<void> {
    await Promise.all([...this.#connections.values()].map(({ connection }) => connection.stop()));
  }

  /** One connection and a lane per target it serves, typed together so a lane only ever gets its own kind of session. */
  #add<T extends EgressTarget>(name: string, url: string, targets: readonly T[], connection: BrokerConnection<PublishSession<T>>): void {
    this.#connections.set(name, { connection, url, targets });
    for (const target of targets) this.lanes.push(egressLane(target, egressExecutor(target, connection, this.#report)));
  }

  #warn(target: EgressTarget, count: number, message: string): void {
    const now = Date.now();
    if (now - (this.#warnedAt.get(target.name) ?? 0) < WARN_EVERY_MS) return;
    this.#warnedAt.set(target.name, now);
    this.#logger.warn({ target: target.name, count, err: message }, 'egress publish not confirmed; retrying with backoff');
  }
}
