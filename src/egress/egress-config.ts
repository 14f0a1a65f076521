// The `egress` section after loading: each target resolved against the
// `brokers` connection it publishes through, defaults filled in, and the
// rules the schema cannot state checked with the PLEXUS_INVALID_CONFIG
// wording of the rest of the config ("<path> <problem>").
//
// A target's name identifies its deliveries in the store (`egress:<name>`),
// so it must be unique and should stay stable: deliveries of a target that
// was renamed or removed wait (parked) until a target of that name returns.
import { topicPatternProblem } from '@plexus/plugin-sdk/runtime';
import type { RetryPolicy } from '../delivery/retry-policy.ts';
import { durationMs } from '../config/duration.ts';
import type { BrokersDocument } from '../ingress/broker-config-schema.ts';
import { configProblem, type PublishingBrokers } from '../ingress/broker-config.ts';
import type { EgressTargetDocument } from './egress-config-schema.ts';

interface TargetCommon {
  /** `amqp:orders/plexus.out` unless the config names it. */
  name: string;
  /** The delivery lane, and the `plugin` of its DLQ entries and metrics: `egress:<name>`. */
  lane: string;
  match: string[];
  /** The key under brokers.amqp (exchange targets) or brokers.redis (stream targets). */
  broker: string;
  batchSize: number;
  concurrency: number;
  /** How long a publish round waits for the broker's confirms (or XADD replies) before it fails and is retried. */
  confirmTimeoutMs: number;
  retry: RetryPolicy;
}

export interface ExchangeTarget extends TargetCommon {
  kind: 'amqp';
  exchange: string;
  /** Fixed routing key; default: the event type (Plexus topics are AMQP topic keys). */
  routingKey?: string;
}

export interface StreamTarget extends TargetCommon {
  kind: 'redis';
  stream: string;
  /** XADD MAXLEN ~ this: the stream is trimmed to about this many entries. */
  maxLen?: number;
}

export type EgressTarget = ExchangeTarget | StreamTarget;

/**
 * A broker outage is not the event's fault, so by default a target retries
 * for as long as it takes (capped at 30 s between attempts); set
 * `retry.maxRetries` to dead-letter sooner. Expired events still go to the DLQ.
 */
export const EGRESS_RETRY: RetryPolicy = Object.freeze({ maxRetries: Number.MAX_SAFE_INTEGER, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 30_000 });
const DEFAULT_BATCH = 100;
const AMQP_SHORT_STRING_BYTES = 255;
const DEFAULT_CONCURRENCY = 2;
/** How long a round waits for its confirms by default (a half-dead socket): then it fails and is retried. */
const DEFAULT_CONFIRM_TIMEOUT_MS = 30_000;

/** The connections egress publishes through, so toBrokersConfig lets them consume nothing. */
export function publishingBrokers(targets: readonly EgressTarget[]): PublishingBrokers {
  return {
    amqp: new Set(targets.filter((t) => t.kind === 'amqp').map((t) => t.broker)),
    redis: new Set(targets.filter((t) => t.kind === 'redis').map((t) => t.broker)),
  };
}

/**
 * Checked against the `brokers` document before that section is converted,
 * so a target that names no connection (a typo) is reported as such, not as
 * a connection that consumes nothing.
 */
export function toEgressConfig(doc: readonly EgressTargetDocument[] | undefined, brokers: BrokersDocument | undefined): EgressTarget[] {
  const targets = (doc ?? []).map((target, i) => toTarget(target, `egress[${i}]`, brokers));
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    const first = seen.get(target.name);
    if (first !== undefined) throw configProblem(`egress[${i}].name "${target.name}" is already the name of egress[${first}] (give one of them another name)`);
    seen.set(target.name, i);
  });
  return targets;
}

function toTarget(doc: EgressTargetDocument, path: string, brokers: BrokersDocument | undefined): EgressTarget {
  const hasExchange = doc.exchange !== undefined;
  if (hasExchange === (doc.stream !== undefined)) throw configProblem(`${path} needs exactly one of exchange (RabbitMQ) or stream (Redis)`);
  if (doc.routingKey !== undefined && !hasExchange) throw configProblem(`${path}.routingKey applies to an exchange target only`);
  if (doc.maxLen !== undefined && hasExchange) throw configProblem(`${path}.maxLen applies to a stream target only`);
  for (const field of ['exchange', 'routingKey'] as const) {
    // AMQP short strings are counted in bytes: 255 characters of "é" pass the schema, and amqplib
    // would refuse every publish (or the exchange check at every connection attempt), for good.
    const value = doc[field];
    if (value !== undefined && Buffer.byteLength(value) > AMQP_SHORT_STRING_BYTES) throw configProblem(`${path}.${field} must be at most ${AMQP_SHORT_STRING_BYTES} bytes in UTF-8`);
  }
  const retry = doc.retry ?? {};
  const common = {
    match: matchPatterns(doc.match, `${path}.match`),
    broker: doc.broker,
    batchSize: doc.batchSize ?? DEFAULT_BATCH,
    concurrency: doc.concurrency ?? DEFAULT_CONCURRENCY,
    confirmTimeoutMs: ms(doc.confirmTimeoutMs) ?? DEFAULT_CONFIRM_TIMEOUT_MS,
    retry: Object.freeze({
      maxRetries: retry.maxRetries ?? EGRESS_RETRY.maxRetries,
      initialDelayMs: ms(retry.initialDelayMs) ?? EGRESS_RETRY.initialDelayMs,
      multiplier: retry.multiplier ?? EGRESS_RETRY.multiplier,
      maxDelayMs: ms(retry.maxDelayMs) ?? EGRESS_RETRY.maxDelayMs,
    }),
  };
  if (doc.exchange !== undefined) {
    if (!Object.hasOwn(brokers?.amqp ?? {}, doc.broker)) throw configProblem(`${path}.broker "${doc.broker}" is not a RabbitMQ connection (add it under brokers.amqp)`);
    const name = doc.name ?? `amqp:${doc.broker}/${doc.exchange}`;
    const target: ExchangeTarget = { kind: 'amqp', name, lane: `egress:${name}`, ...common, exchange: doc.exchange };
    if (doc.routingKey !== undefined) target.routingKey = doc.routingKey;
    return target;
  }
  const stream = doc.stream as string;
  if (!Object.hasOwn(brokers?.redis ?? {}, doc.broker)) throw configProblem(`${path}.broker "${doc.broker}" is not a Redis connection (add it under brokers.redis)`);
  const name = doc.name ?? `redis:${doc.broker}/${stream}`;
  const target: StreamTarget = { kind: 'redis', name, lane: `egress:${name}`, ...common, stream };
  if (doc.maxLen !== undefined) target.maxLen = doc.maxLen;
  return target;
}

function matchPatterns(match: string | string[], path: string): string[] {
  const patterns = typeof match === 'string' ? [match] : match;
  patterns.forEach((pattern, i) => {
    const problem = topicPatternProblem(pattern);
    if (problem !== undefined) throw configProblem(`${typeof match === 'string' ? path : `${path}[${i}]`} ${problem}`);
  });
  return [...new Set(patterns)];
}

function ms(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : durationMs(value);
}
