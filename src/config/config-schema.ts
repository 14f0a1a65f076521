// JSON Schema (draft 2020-12) of the host's config file. Field names are those
// of HostConfig, so an error path ("delivery.batchSize") is also where to look
// in the docs and the type. Two conventions keep it small to learn:
// - every field ending in `Ms` is a duration: milliseconds or "30s", "24h", "7d";
// - `listen` and `adminListen` are "host:port" strings.
// Unknown keys are refused everywhere: a typo must not silently fall back to a default.
import type { WebhookSourcesConfig } from '../ingress/webhook/source-config.ts';
import { WEBHOOK_SOURCE_SCHEMA } from '../ingress/webhook/source-schema.ts';
import { brokersSchema, type BrokersDocument } from '../ingress/broker-config-schema.ts';
import { egressSchema, type EgressTargetDocument } from '../egress/egress-config-schema.ts';
import { LOG_LEVELS } from '../observability/log-level.ts';
import { durationSchema, positiveInteger, section } from './schema-parts.ts';

export const CONFIG_FORMATS = { duration: 'plexus-duration', listen: 'plexus-listen' } as const;

const window = durationSchema(CONFIG_FORMATS.duration, 'window');
const timer = durationSchema(CONFIG_FORMATS.duration, 'timer');
const listen = { type: 'string', format: CONFIG_FORMATS.listen } as const;

export const STORE_KINDS = ['sqlite', 'redis'] as const;

/**
 * The most sandbox worker threads, far above a machine's core count (the
 * default is one per core). The sandbox starts them all before the host is
 * up, so a slip such as 1e6 spawned threads until the sandbox ran out of
 * memory, and the host neither started nor said why.
 */
export const MAX_SANDBOX_THREADS = 1024;

export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Plexus host configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    stateDir: { type: 'string', minLength: 1 },
    listen,
    adminListen: listen,
    // Long enough that guessing is hopeless (the generated one has 43 characters), and
    // visible ASCII only: it travels in an HTTP header.
    adminToken: { type: 'string', minLength: 16, pattern: '^[!-~]+$' },
    logLevel: { enum: LOG_LEVELS },
    store: {
      type: 'object',
      required: ['kind'],
      discriminator: { propertyName: 'kind' },
      oneOf: [
        { properties: { kind: { const: 'sqlite' }, path: { type: 'string', minLength: 1 } }, additionalProperties: false },
        {
          properties: { kind: { const: 'redis' }, url: { type: 'string', pattern: '^rediss?://' }, prefix: { type: 'string' } },
          required: ['url'],
          additionalProperties: false,
        },
      ],
    },
    sandbox: section({ threads: { ...positiveInteger, maximum: MAX_SANDBOX_THREADS }, idleMs: timer, nice: { type: 'integer', minimum: 0, maximum: 19 } }),
    delivery: section({
      dedupWindowMs: window,
      batchSize: positiveInteger,
      lingerMs: timer,
      maxQueued: positiveInteger,
      concurrency: positiveInteger,
      retry: section({ maxRetries: { type: 'integer', minimum: 0 }, initialDelayMs: timer, multiplier: { type: 'number', minimum: 1 }, maxDelayMs: timer }),
      breaker: section({ failureThreshold: positiveInteger, coolDownMs: timer }),
    }),
    retention: section({ journalMs: window, dlqMs: window }),
    limits: section({ memoryMb: positiveInteger, timeoutMs: timer }),
    secrets: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: { type: 'string' } },
    shutdownTimeoutMs: timer,
    // RabbitMQ and Redis sources by name (src/ingress/amqp/README.md, src/ingress/redis/README.md).
    brokers: brokersSchema(CONFIG_FORMATS.duration),
    // Emitted events published to an exchange or a stream through a `brokers` connection (src/egress/README.md).
    egress: egressSchema(CONFIG_FORMATS.duration),
    // Source name → source (src/ingress/webhook/README.md); names are checked when the listener starts.
    webhooks: { type: 'object', additionalProperties: WEBHOOK_SOURCE_SCHEMA },
  },
} as const;

/** The file as the schema accepts it (before durations and addresses are converted). */
export interface ConfigDocument {
  stateDir?: string;
  listen?: string;
  adminListen?: string;
  adminToken?: string;
  logLevel?: (typeof LOG_LEVELS)[number];
  store?: { kind: 'sqlite'; path?: string } | { kind: 'redis'; url: string; prefix?: string };
  sandbox?: { threads?: number; idleMs?: number | string; nice?: number };
  delivery?: {
    dedupWindowMs?: number | string;
    batchSize?: number;
    lingerMs?: number | string;
    maxQueued?: number;
    concurrency?: number;
    retry?: { maxRetries?: number; initialDelayMs?: number | string; multiplier?: number; maxDelayMs?: number | string };
    breaker?: { failureThreshold?: number; coolDownMs?: number | string };
  };
  retention?: { journalMs?: number | string; dlqMs?: number | string };
  limits?: { memoryMb?: number; timeoutMs?: number | string };
  secrets?: Record<string, string>;
  shutdownTimeoutMs?: number | string;
  brokers?: BrokersDocument;
  egress?: EgressTargetDocument[];
  webhooks?: WebhookSourcesConfig;
}
