// A real host (SQLite store, sandbox, a counting fixture plugin) with broker
// ingresses from a `brokers` config document (and egress targets from an
// `egress` one), for the broker tests. The plugin counts every execution in
// its kv under `seen:<data.n>` (or the event id), so a test can tell lost
// messages from duplicates (loss-tally.ts sums them up).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readiness } from '../../src/admin/readiness.ts';
import type { Ingress } from '../../src/cli/ingress.ts';
import { defaultHostConfig, type HostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import type { EgressTargetDocument } from '../../src/egress/egress-config-schema.ts';
import { publishingBrokers, toEgressConfig } from '../../src/egress/egress-config.ts';
import type { BrokersDocument } from '../../src/ingress/broker-config-schema.ts';
import { toBrokersConfig } from '../../src/ingress/broker-config.ts';
import { brokerIngresses } from '../../src/ingress/broker-ingresses.ts';
import type { BrokerStats } from '../../src/ingress/broker-stats.ts';
import { AmqpIngress } from '../../src/ingress/amqp/amqp-ingress.ts';
import { RedisIngress } from '../../src/ingress/redis/redis-ingress.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

export const COUNTER = '@fixtures/broker-counter';

/** Counts executions; `data.record` also keeps the whole envelope; `data.spinMs` makes it slow. */
export const COUNTER_SOURCE = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const d = (event.data && typeof event.data === 'object') ? event.data : {};
  const key = d.n ?? event.id;
  // The sandbox has no timers: slow means busy.
  if (d.spinMs) { const end = Date.now() + d.spinMs; while (Date.now() < end) {} }
  if (d.record) await ctx.kv.set('event:' + key, event);
  await ctx.kv.incr('seen:' + key);
} });`;

export const uniqueName = (what: string) => `plexus-test-${what}-${randomUUID().slice(0, 8)}`;

export async function writeCounterState(stateDir: string, subscribe: string[]): Promise<void> {
  const root = await writePlugin({ name: 'broker-counter', subscribe, capabilities: { kv: true }, source: COUNTER_SOURCE }, stateDir);
  const plugin = { name: COUNTER, version: '1.0.0', root, enabled: true, grants: ['kv'], config: {}, retry: { maxRetries: 2, initialDelayMs: 50, maxDelayMs: 200 } };
  await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [plugin] }));
}

export interface BrokerHostOptions {
  brokers: BrokersDocument;
  egress?: EgressTargetDocument[];
  subscribe?: string[];
  /** Writes the plugin state of a fresh state dir instead of the counter (e.g. an emitting plugin). */
  plugins?: (stateDir: string) => Promise<void>;
  /** How often the ingresses ask for queue depth and stream lag (default 5 s). */
  depthPollMs?: number;
  /** Reuse a state dir (a restarted host); default: a fresh one, removed at stop. */
  stateDir?: string;
  consumerName?: string;
}

export class BrokerHost {
  readonly host: Host;
  readonly ingresses: Ingress[];
  readonly logger: RecordingLogger;
  readonly readiness: Readiness;
  readonly stateDir: string;
  readonly #ownsDir: boolean;

  private constructor(host: Host, ingresses: Ingress[], logger: RecordingLogger, readiness: Readiness, stateDir: string, ownsDir: boolean) {
    this.host = host;
    this.ingresses = ingresses;
    this.logger = logger;
    this.readiness = readiness;
    this.stateDir = stateDir;
    this.#ownsDir = ownsDir;
  }

  static async start(options: BrokerHostOptions): Promise<BrokerHost> {
    const ownsDir = options.stateDir === undefined;
    const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'plexus-brokers-')));
    if (ownsDir) await (options.plugins ?? ((dir) => writeCounterState(dir, options.subscribe ?? ['#'])))(stateDir);
    const egress = toEgressConfig(options.egress, options.brokers);
    const brokers = toBrokersConfig(options.brokers, publishingBrokers(egress));
    const config: HostConfig = { ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 2, idleMs: 60_000 }, shutdownTimeoutMs: 10_000, brokers, egress };
    const logger = new RecordingLogger();
    const host = await Host.start(config, { logger });
    const readiness = new Readiness();
    const { consumerName, depthPollMs } = options;
    const ingresses = brokerIngresses({ host, logger, readiness, ...(consumerName === undefined ? {} : { consumerName }), ...(depthPollMs === undefined ? {} : { depthPollMs }) });
    for (const ingress of ingresses) await ingress.start();
    return new BrokerHost(host, ingresses, logger, readiness, stateDir, ownsDir);
  }

  broker(name: string): AmqpIngress | RedisIngress {
    const found = this.ingresses.find((i): i is AmqpIngress | RedisIngress => (i instanceof AmqpIngress || i instanceof RedisIngress) && i.name === name);
    if (!found) throw new Error(`no broker ingress ${name}`);
    return found;
  }

  stats(name: string): BrokerStats {
    return this.broker(name).stats;
  }

  /** Messages taken by any broker ingress and not yet acknowledged. */
  get pending(): number {
    return this.ingresses.reduce((n, i) => n + (i instanceof AmqpIngress || i instanceof RedisIngress ? i.pending : 0), 0);
  }

  /** How many times the plugin ran for `key` (data.n or the event id). */
  async seen(key: string | number): Promise<number> {
    const value = await this.host.store.kvGet(COUNTER, `seen:${key}`, Date.now());
    return value === null ? 0 : Number(value);
  }

  async recorded(key: string | number): Promise<Record<string, unknown> | undefined> {
    const value = await this.host.store.kvGet(COUNTER, `event:${key}`, Date.now());
    return value === null ? undefined : (JSON.parse(value) as Record<string, unknown>);
  }

  /** Stops ingresses (newest first), then the host; removes the state dir if this fixture made it. */
  async stop(keepDir = false): Promise<void> {
    for (const ingress of [...this.ingresses].reverse()) await ingress.stop();
    await this.host.stop();
    if (this.#ownsDir && !keepDir) await rm(this.stateDir, { recursive: true, force: true });
  }
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
