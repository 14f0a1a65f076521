// JSON Schema of the host config's `brokers` section: RabbitMQ and Redis
// sources by name. A function of the duration format's name, because the
// host schema (config-schema.ts) embeds this one: importing its constant here
// would make the two modules import each other.
//
// Credentials are separate fields (`username`, `password`) so they can be
// `${ENV}` references and so a URL, which does get logged, never carries one.
import { durationSchema, positiveInteger, section, text, topicPattern } from '../config/schema-parts.ts';

/** Letters, digits and _: the names of sources, as for secrets (the config validator words the error that way). */
const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

export function brokersSchema(durationFormat: string) {
  const window = durationSchema(durationFormat, 'window');
  const timer = durationSchema(durationFormat, 'timer');
  const connection = {
    username: text,
    password: text,
    reconnect: section({ initialDelayMs: timer, maxDelayMs: timer, multiplier: { type: 'number', minimum: 1 } }),
    breaker: section({ failureThreshold: positiveInteger, coolDownMs: timer }),
    connectTimeoutMs: timer,
  };
  const amqpQueue = section({
    name: text,
    declare: { type: 'boolean' },
    kind: { enum: ['classic', 'quorum'] },
    maxPriority: { type: 'integer', minimum: 1, maximum: 255 },
    messageTtlMs: window,
    expiresMs: window,
    bindings: { type: 'array', items: topicPattern },
    bindSubscriptions: { type: 'boolean' },
    type: text,
  }, ['name']);
  const amqp = section({
    url: { type: 'string', pattern: '^amqps?://' },
    ...connection,
    prefetch: { type: 'integer', minimum: 1, maximum: 65_535 },
    heartbeatSec: { type: 'integer', minimum: 0, maximum: 3600 },
    exchange: section({ name: text, type: { enum: ['topic', 'direct', 'fanout', 'headers'] }, durable: { type: 'boolean' } }, ['name']),
    deadLetterExchange: text,
    // Required unless egress publishes through this connection (checked in broker-config.ts).
    queues: { type: 'array', minItems: 1, items: amqpQueue },
  }, ['url']);
  const stream = section({
    key: text,
    group: text,
    type: text,
    batchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    blockMs: timer,
    claimIdleMs: timer,
    start: { enum: ['beginning', 'end'] },
    maxInFlight: positiveInteger,
  }, ['key']);
  const list = section({
    key: text,
    type: text,
    end: { enum: ['left', 'right'] },
    processingKey: text,
    batchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    maxInFlight: positiveInteger,
  }, ['key']);
  const pubsub = {
    ...section({ channel: text, pattern: text, type: text, maxInFlight: positiveInteger }),
    // Exactly one of the two: a channel name or a glob pattern.
    oneOf: [{ required: ['channel'] }, { required: ['pattern'] }],
  };
  const redis = section({
    url: { type: 'string', pattern: '^rediss?://' },
    ...connection,
    consumer: text,
    streams: { type: 'array', items: stream },
    lists: { type: 'array', items: list },
    pubsub: { type: 'array', items: pubsub },
  }, ['url']);
  const byName = (source: object) => ({ type: 'object', propertyNames: { pattern: NAME_PATTERN }, additionalProperties: source });
  return section({ amqp: byName(amqp), redis: byName(redis) });
}

type Duration = number | string;

interface ConnectionDocument {
  username?: string;
  password?: string;
  reconnect?: { initialDelayMs?: Duration; maxDelayMs?: Duration; multiplier?: number };
  breaker?: { failureThreshold?: number; coolDownMs?: Duration };
  connectTimeoutMs?: Duration;
}

export interface AmqpQueueDocument {
  name: string;
  declare?: boolean;
  kind?: 'classic' | 'quorum';
  maxPriority?: number;
  messageTtlMs?: Duration;
  expiresMs?: Duration;
  bindings?: string[];
  bindSubscriptions?: boolean;
  type?: string;
}

export interface AmqpSourceDocument extends ConnectionDocument {
  url: string;
  prefetch?: number;
  heartbeatSec?: number;
  exchange?: { name: string; type?: 'topic' | 'direct' | 'fanout' | 'headers'; durable?: boolean };
  deadLetterExchange?: string;
  queues?: AmqpQueueDocument[];
}

export interface RedisSourceDocument extends ConnectionDocument {
  url: string;
  consumer?: string;
  streams?: { key: string; group?: string; type?: string; batchSize?: number; blockMs?: Duration; claimIdleMs?: Duration; start?: 'beginning' | 'end'; maxInFlight?: number }[];
  lists?: { key: string; type?: string; end?: 'left' | 'right'; processingKey?: string; batchSize?: number; maxInFlight?: number }[];
  pubsub?: { channel?: string; pattern?: string; type?: string; maxInFlight?: number }[];
}

/** The `brokers` section as the schema accepts it (durations not yet converted). */
export interface BrokersDocument {
  amqp?: Record<string, AmqpSourceDocument>;
  redis?: Record<string, RedisSourceDocument>;
}
