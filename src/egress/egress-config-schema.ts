// JSON Schema of the host config's `egress` section: targets that publish
// the events plugins emit to a RabbitMQ exchange or a Redis stream, through
// a connection configured under `brokers`. One object shape for both kinds
// (ajv's oneOf errors name no field); which of `exchange` / `stream` is set,
// and the fields that only fit one of them, are checked in egress-config.ts
// with the same "<path> <problem>" wording.
import { durationSchema, positiveInteger, section, text, topicPattern } from '../config/schema-parts.ts';

export function egressSchema(durationFormat: string) {
  const timer = durationSchema(durationFormat, 'timer');
  const target = section({
    // Names the target's deliveries (`egress:<name>` in the DLQ and metrics): keep it stable.
    name: { type: 'string', pattern: '^[A-Za-z0-9_.:/-]+$', maxLength: 200 },
    // One pattern or several: `minLength` applies to a string, `items` to a list.
    match: { type: ['string', 'array'], minLength: 1, maxLength: 255, items: topicPattern, minItems: 1 },
    broker: text,
    // '' is RabbitMQ's default exchange (routing key = queue name), so no minLength.
    exchange: { type: 'string', maxLength: 255 },
    routingKey: { type: 'string', maxLength: 255 },
    stream: text,
    // Redis takes a 64-bit integer written in digits: a larger number (1e30, written as "1e+30") would fail every XADD, for good.
    maxLen: { ...positiveInteger, maximum: Number.MAX_SAFE_INTEGER },
    batchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    concurrency: { type: 'integer', minimum: 1, maximum: 64 },
    confirmTimeoutMs: timer,
    retry: section({ maxRetries: { type: 'integer', minimum: 0 }, initialDelayMs: timer, multiplier: { type: 'number', minimum: 1 }, maxDelayMs: timer }),
  }, ['match', 'broker']);
  return { type: 'array', items: target } as const;
}

type Duration = number | string;

/** One egress target as the schema accepts it (durations not yet converted). */
export interface EgressTargetDocument {
  name?: string;
  match: string | string[];
  broker: string;
  exchange?: string;
  routingKey?: string;
  stream?: string;
  maxLen?: number;
  confirmTimeoutMs?: Duration;
  batchSize?: number;
  concurrency?: number;
  retry?: { maxRetries?: number; initialDelayMs?: Duration; multiplier?: number; maxDelayMs?: Duration };
}
