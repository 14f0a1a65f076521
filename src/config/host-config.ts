// The host's configuration after loading (YAML or JSON file, env references
// resolved, defaults applied). With no file at all, `defaultHostConfig` is the
// embedded default of CONTRACT §8: SQLite store under ./.plexus, webhooks on
// 0.0.0.0:8080, admin on 127.0.0.1:9090.
import type { RetryOptions } from '../delivery/retry-policy.ts';
import type { EgressTarget } from '../egress/egress-config.ts';
import type { BrokersConfig } from '../ingress/broker-config.ts';
import type { WebhookSourcesConfig } from '../ingress/webhook/source-config.ts';

export type StoreConfig = { kind: 'sqlite'; path?: string } | { kind: 'redis'; url: string; prefix: string };

export interface HostConfig {
  stateDir: string;
  listen: { host: string; port: number };
  adminListen: { host: string; port: number };
  /** Bearer token of the admin API; generated into the state dir when absent. */
  adminToken?: string;
  store: StoreConfig;
  /** `nice`: how many nice steps (0-19) below the host the sandbox runs: plugins yield the CPU to the host's pipeline (plugin-sdk process-priority.ts). */
  sandbox: { threads?: number; idleMs: number; nice: number };
  delivery: {
    dedupWindowMs: number;
    batchSize: number;
    /** How long a partial batch may wait for more deliveries while they keep arriving (src/delivery/linger.ts); 0: never. */
    lingerMs: number;
    maxQueued: number;
    concurrency: number;
    retry: RetryOptions;
    breaker: { failureThreshold: number; coolDownMs: number };
  };
  retention: { journalMs: number; dlqMs: number };
  /** The operator's ceiling on what plugins may ask for. */
  limits: { memoryMb: number; timeoutMs: number };
  /** Secret values plugins may be granted, by name (env references resolved). */
  secrets: Record<string, string>;
  /** How long SIGTERM may take before in-flight work is abandoned (it stays durable). */
  shutdownTimeoutMs: number;
  /** RabbitMQ and Redis sources (src/ingress/amqp/README.md, src/ingress/redis/README.md); absent = none. */
  brokers?: BrokersConfig;
  /** Where plugin-emitted events are published, by type (src/egress/README.md); absent = nowhere. */
  egress?: EgressTarget[];
  /** Webhook sources by name (POST /hooks/:source); none configured = every source is 404. */
  webhooks?: WebhookSourcesConfig;
}

/** Where state lives when neither --state-dir, $PLEXUS_STATE_DIR nor the config says. */
export const DEFAULT_STATE_DIR = '.plexus';

const DAY = 24 * 60 * 60 * 1000;

export function defaultHostConfig(stateDir = DEFAULT_STATE_DIR): HostConfig {
  return {
    stateDir,
    listen: { host: '0.0.0.0', port: 8080 },
    adminListen: { host: '127.0.0.1', port: 9090 },
    store: { kind: 'sqlite' },
    // nice +10: when the CPU is short, the host's intake, writes and acks run
    // first and plugin code waits. On this 2-core machine the host's thread
    // otherwise waited for a core 24-27% of the time during bench:core, and
    // the core's rate ratio went from 0.66-0.68 (nice 0) to ~0.70 (10) or
    // 0.71-0.73 (19), 3 rounds each. 10 rather than 19: plugins still get a
    // fair share on a machine shared with other work.
    sandbox: { idleMs: 5 * 60_000, nice: 10 },
    delivery: {
      dedupWindowMs: DAY,
      batchSize: 256,
      // Under a steady webhook load (bench:webhooks, 7-8k events/s) batches
      // grew from ~11 to ~80 events at 10 ms (~36-41 at 5 ms), the sandbox's
      // CPU per event fell from ~45 to ~18 µs and throughput rose 10-30%. A
      // lone event, and deliveries a broker waits on to ack, are never held.
      lingerMs: 10,
      // Deliveries waiting, not running: enough for a full batch or more to
      // wait behind the running ones in each of dozens of lanes. At 100,000,
      // a backlog kept ~100k events in memory (heap 190-460 MB, against
      // 30-110 MB at 10,000), and collecting them cost the core about 10% of
      // its throughput (bench:core's path, 6 runs each).
      maxQueued: 10_000,
      concurrency: 4,
      retry: {},
      breaker: { failureThreshold: 20, coolDownMs: 30_000 },
    },
    retention: { journalMs: 7 * DAY, dlqMs: 7 * DAY },
    limits: { memoryMb: 256, timeoutMs: 30_000 },
    secrets: {},
    shutdownTimeoutMs: 30_000,
  };
}
