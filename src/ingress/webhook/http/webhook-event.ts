// A verified delivery → the CloudEvent the host accepts (CONTRACT §5). A plain
// body is wrapped (it becomes `data`, `ce-*` headers may add attributes); a
// body that is itself a CloudEvent is taken as the envelope. Either way the
// `source` is `webhook/<name>` and the `type` is what the source's config
// derived: the route the request arrived on is the one thing we know for
// sure, so a signed body cannot pass itself off as another source (DLQ
// filters and replay select by source) or bypass the operator's type rule.
import type { JsonValue, PlexusEvent } from '@plexus/plugin-sdk';
import { isCloudEvent, toEnvelope } from '../../../envelope/index.ts';
import type { HeaderRecord } from '../headers.ts';
import type { VerifiedWebhook } from '../verify-delivery.ts';

export const WEBHOOK_SOURCE_PREFIX = 'webhook/';

/** Throws PLEXUS_INVALID_EVENT (400) naming the attribute when the result is not a valid envelope. */
export function toWebhookEvent(delivery: VerifiedWebhook, headers: HeaderRecord, now: number): PlexusEvent {
  const source = `${WEBHOOK_SOURCE_PREFIX}${delivery.source}`;
  // The delivery id is unique per source, so it doubles as the event id; without one, ce-id or a new UUID.
  const context = { source, type: delivery.type, now, headers, ...(delivery.deliveryId === undefined ? {} : { id: delivery.deliveryId }) };
  // parseJsonBody produced it, so it is JSON; an empty body (undefined) carries no payload.
  const body = (delivery.body ?? null) as JsonValue;
  if (isCloudEvent(body)) return toEnvelope({ ...body, source, type: delivery.type } as JsonValue, context);
  return toEnvelope(body, context);
}
