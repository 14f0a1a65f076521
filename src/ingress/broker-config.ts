// The `brokers` section after loading: durations in milliseconds, defaults
// filled in, and the cross-field rules the schema cannot state checked here
// with the same PLEXUS_INVALID_CONFIG wording ("<path> <problem>"). A
// connection that only egress targets publish through (src/egress) may
// consume nothing; every other one must consume something.
import { PlexusError } from '@plexus/plugin-sdk';
import { topicPatternProblem } from '@plexus/plugin-sdk/runtime';
import { durationMs } from '../config/duration.ts';
import type { AmqpQueueDocument, AmqpSourceDocument, BrokersDocument, RedisSourceDocument } from './broker-config-schema.ts';

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export interface BreakerPolicy {
  failureThreshold: number;
  coolDownMs: number;
}

export interface ConnectionConfig {
  /** The key under brokers.amqp / brokers.redis. */
  name: string;
  url: string;
  username?: string;
  password?: string;
  reconnect: ReconnectPolicy;
  breaker: BreakerPolicy;
  /**
   * How long opening a connection may take, and then its set-up (RabbitMQ: the channel, topology
   * and consumers; Redis: CLIENT SETNAME and the ready check). The clients' own connect timeouts
   * end with the transport, and a broker silent after that held the open for ever.
   */
  connectTimeoutMs: number;
}

export interface AmqpQueueConfig {
  name: string;
  /** Assert the queue (with the arguments below); false: consume an existing queue as it is. */
  declare: boolean;
  kind: 'classic' | 'quorum';
  maxPriority?: number;
  messageTtlMs?: number;
  expiresMs?: number;
  bindings: string[];
  /** Also bind every active plugin's `subscribe` patterns. */
  bindSubscriptions: boolean;
  /** Event type of plain messages from this queue; default: the routing key. */
  type?: string;
}

export interface AmqpSourceConfig extends ConnectionConfig {
  prefetch: number;
  heartbeatSec: number;
  exchange?: { name: string; type: 'topic' | 'direct' | 'fanout' | 'headers'; durable: boolean };
  deadLetterExchange?: string;
  queues: AmqpQueueConfig[];
}

export interface RedisStreamConfig {
  key: string;
  group: string;
  type?: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  /** Where a group this host creates starts: the whole stream ('0') or new entries only ('$'). */
  start: '0' | '$';
  maxInFlight: number;
}

export interface RedisListConfig {
  key: string;
  type?: string;
  /** The end messages are taken from: 'left' pairs with RPUSH producers (FIFO). */
  end: 'left' | 'right';
  processingKey?: string;
  batchSize: number;
  maxInFlight: number;
}

export interface RedisPubSubConfig {
  channel?: string;
  pattern?: string;
  type?: string;
  maxInFlight: number;
}

export interface RedisSourceConfig extends ConnectionConfig {
  /** Consumer name in groups and processing lists; default: host name + state dir (stable across restarts). */
  consumer?: string;
  streams: RedisStreamConfig[];
  lists: RedisListConfig[];
  pubsub: RedisPubSubConfig[];
}

export interface BrokersConfig {
  amqp: AmqpSourceConfig[];
  redis: RedisSourceConfig[];
}

export const NO_BROKERS: BrokersConfig = Object.freeze({ amqp: [], redis: [] });

const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2 };
const DEFAULT_BREAKER: BreakerPolicy = { failureThreshold: 10, coolDownMs: 15_000 };
/** The clients' connect timeouts were 10 s before the set-up was bounded too. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Connections egress targets publish through (by name): these may consume nothing. */
export interface PublishingBrokers {
  amqp: ReadonlySet<string>;
  redis: ReadonlySet<string>;
}

const NO_PUBLISHERS: PublishingBrokers = { amqp: new Set(), redis: new Set() };

export function toBrokersConfig(doc: BrokersDocument | undefined, publishing: PublishingBrokers = NO_PUBLISHERS): BrokersConfig {
  if (doc === undefined) return NO_BROKERS;
  return {
    amqp: Object.entries(doc.amqp ?? {}).map(([name, source]) => amqpSource(name, source, publishing.amqp.has(name))),
    redis: Object.entries(doc.redis ?? {}).map(([name, source]) => redisSource(name, source, publishing.redis.has(name))),
  };
}

/** A source with something to consume: a connection only egress uses is no ingress. */
export function consumes(source: AmqpSourceConfig | RedisSourceConfig): boolean {
  if ('queues' in source) return source.queues.length > 0;
  return source.streams.length + source.lists.length + source.pubsub.length > 0;
}

function connection(kind: 'amqp' | 'redis', name: string, doc: AmqpSourceDocument | RedisSourceDocument): ConnectionConfig {
  const reconnect = doc.reconnect ?? {};
  const breaker = doc.breaker ?? {};
  const config: ConnectionConfig = {
    name,
    url: doc.url,
    reconnect: {
      initialDelayMs: ms(reconnect.initialDelayMs) ?? DEFAULT_RECONNECT.initialDelayMs,
      maxDelayMs: ms(reconnect.maxDelayMs) ?? DEFAULT_RECONNECT.maxDelayMs,
      multiplier: reconnect.multiplier ?? DEFAULT_RECONNECT.multiplier,
    },
    breaker: { failureThreshold: breaker.failureThreshold ?? DEFAULT_BREAKER.failureThreshold, coolDownMs: ms(breaker.coolDownMs) ?? DEFAULT_BREAKER.coolDownMs },
    connectTimeoutMs: ms(doc.connectTimeoutMs) ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  if (config.connectTimeoutMs === 0) throw configProblem(`brokers.${kind}.${name}.connectTimeoutMs must be > 0`);
  if (doc.username !== undefined) config.username = doc.username;
  if (doc.password !== undefined) config.password = doc.password;
  return config;
}

function amqpSource(name: string, doc: AmqpSourceDocument, publishing: boolean): AmqpSourceConfig {
  if (doc.queues === undefined && !publishing) throw configProblem(`brokers.amqp.${name}.queues is required (a connection no egress target publishes through must consume a queue)`);
  const config: AmqpSourceConfig = {
    ...connection('amqp', name, doc),
    prefetch: doc.prefetch ?? 100,
    heartbeatSec: doc.heartbeatSec ?? 15,
    queues: (doc.queues ?? []).map((q, i) => amqpQueue(q, `brokers.amqp.${name}.queues[${i}]`)),
  };
  if (doc.exchange !== undefined) config.exchange = { name: doc.exchange.name, type: doc.exchange.type ?? 'topic', durable: doc.exchange.durable ?? true };
  if (doc.deadLetterExchange !== undefined) config.deadLetterExchange = doc.deadLetterExchange;
  return config;
}

function amqpQueue(doc: AmqpQueueDocument, path: string): AmqpQueueConfig {
  const kind = doc.kind ?? 'classic';
  // RabbitMQ before 4.0 refuses priorities on quorum queues; say so at load, not at the first connect.
  if (kind === 'quorum' && doc.maxPriority !== undefined) throw configProblem(`${path}.maxPriority is not supported by quorum queues (use kind: classic)`);
  if (doc.declare === false && (doc.maxPriority !== undefined || doc.messageTtlMs !== undefined || doc.expiresMs !== undefined || doc.kind !== undefined)) {
    throw configProblem(`${path} sets queue arguments but declare is false (arguments apply only to a queue the host declares)`);
  }
  const bindings = doc.bindings ?? [];
  bindings.forEach((pattern, i) => {
    const problem = topicPatternProblem(pattern);
    if (problem !== undefined) throw configProblem(`${path}.bindings[${i}] ${problem}`);
  });
  const config: AmqpQueueConfig = { name: doc.name, declare: doc.declare ?? true, kind, bindings, bindSubscriptions: doc.bindSubscriptions ?? false };
  if (doc.maxPriority !== undefined) config.maxPriority = doc.maxPriority;
  const ttl = ms(doc.messageTtlMs);
  if (ttl !== undefined) config.messageTtlMs = ttl;
  const expires = ms(doc.expiresMs);
  if (expires !== undefined) {
    if (expires === 0) throw configProblem(`${path}.expiresMs must be > 0 (RabbitMQ refuses x-expires 0)`);
    config.expiresMs = expires;
  }
  if (doc.type !== undefined) config.type = doc.type;
  return config;
}

function redisSource(name: string, doc: RedisSourceDocument, publishing: boolean): RedisSourceConfig {
  const config: RedisSourceConfig = {
    ...connection('redis', name, doc),
    streams: (doc.streams ?? []).map((s) => {
      const stream: RedisStreamConfig = {
        key: s.key, group: s.group ?? 'plexus', batchSize: s.batchSize ?? 100, blockMs: ms(s.blockMs) ?? 1000,
        claimIdleMs: ms(s.claimIdleMs) ?? 60_000, start: s.start === 'end' ? '$' : '0', maxInFlight: s.maxInFlight ?? 1000,
      };
      if (s.type !== undefined) stream.type = s.type;
      return stream;
    }),
    lists: (doc.lists ?? []).map((l) => {
      const list: RedisListConfig = { key: l.key, end: l.end ?? 'left', batchSize: l.batchSize ?? 100, maxInFlight: l.maxInFlight ?? 1000 };
      if (l.type !== undefined) list.type = l.type;
      if (l.processingKey !== undefined) list.processingKey = l.processingKey;
      return list;
    }),
    pubsub: (doc.pubsub ?? []).map((p) => {
      const sub: RedisPubSubConfig = { maxInFlight: p.maxInFlight ?? 10_000 };
      if (p.channel !== undefined) sub.channel = p.channel;
      if (p.pattern !== undefined) sub.pattern = p.pattern;
      if (p.type !== undefined) sub.type = p.type;
      return sub;
    }),
  };
  if (!consumes(config) && !publishing) throw configProblem(`brokers.redis.${name} has no streams, lists or pubsub to consume, and no egress target publishes through it`);
  if (doc.consumer !== undefined) config.consumer = doc.consumer;
  return config;
}

function ms(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : durationMs(value);
}

/** PLEXUS_INVALID_CONFIG for a rule the schema cannot state: `problem` is "<path> <what is wrong>". */
export function configProblem(problem: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Invalid config: ${problem}`, { details: { problems: [{ path: problem.split(' ')[0], message: problem.slice(problem.indexOf(' ') + 1) }] } });
}
