// An event as it leaves the host, in the forms our own ingress reads back
// (so one Plexus host can consume what another publishes):
// - RabbitMQ: the CloudEvents AMQP binding, structured mode — content type
//   application/cloudevents+json, the whole event as the body. AMQP
//   properties repeat what brokers and plain consumers act on: message-id
//   (the event id), type, timestamp, priority (0-9; used by queues with
//   x-max-priority), expiration (from expiresat, so RabbitMQ drops or
//   dead-letters what is no longer wanted), and the persistent flag.
// - Redis stream: one field, `event`, holding the structured JSON: what the
//   stream ingress takes as a CloudEvent (src/ingress/redis/README.md).
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Options } from 'amqplib';
import { expiresAtMs } from '../envelope/expiry.ts';

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';

export interface AmqpPublication {
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

export function toAmqpPublication(event: PlexusEvent, routingKey: string | undefined, now: number): AmqpPublication {
  const options: Options.Publish = {
    contentType: STRUCTURED_CONTENT_TYPE,
    messageId: event.id,
    type: event.type,
    timestamp: Math.floor(now / 1000),
    persistent: true,
    appId: 'plexus',
  };
  if (event.priority !== undefined) options.priority = event.priority;
  const deadline = expiresAtMs(event);
  // At least 1 ms: "0" would be an immediate expiry, and the engine already dead-letters what expired before this run.
  if (deadline !== undefined) options.expiration = String(Math.max(1, deadline - now));
  return { routingKey: routingKey ?? event.type, content: Buffer.from(JSON.stringify(event)), options };
}

/** XADD field/value pairs of an event. */
export function toStreamFields(event: PlexusEvent): string[] {
  return ['event', JSON.stringify(event)];
}
