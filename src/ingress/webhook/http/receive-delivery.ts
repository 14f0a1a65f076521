// One webhook delivery from raw bytes to a durable event: verify (size,
// signature, JSON, type, delivery id), build the envelope, charge the
// source's rate limit by the event's priority, and accept it together with
// its replay claim. The answer is given only once host.accept resolved, i.e.
// once the event is durable.
//
// The delivery id is claimed in the same store transaction that journals the
// event: a delivery refused for any reason (invalid envelope, rate limit, the
// store failing) has claimed nothing, so the sender's retry gets through, and
// two copies arriving together cannot both be accepted. Nor does a refused
// one keep the rate-limit tokens it was charged.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Host } from '../../../host/host.ts';
import type { HostLogger } from '../../../observability/host-logger.ts';
import type { HeaderRecord } from '../headers.ts';
import { replayedError, replayKey } from '../replay-guard.ts';
import type { WebhookRequest } from '../signatures/verifier.ts';
import type { WebhookSource } from '../source-config.ts';
import { verifyWebhookDelivery } from '../verify-delivery.ts';
import type { SourceRateLimits } from './source-rate-limits.ts';
import { toWebhookEvent } from './webhook-event.ts';

export interface DeliveryIntake {
  readonly host: Pick<Host, 'accept'>;
  readonly limits: SourceRateLimits;
  readonly logger: HostLogger;
  /**
   * How long an accept may wait for room while the host holds
   * delivery.maxQueued deliveries: then 503 PLEXUS_UNAVAILABLE with
   * Retry-After, nothing accepted. Senders give up on their own after some
   * seconds (GitHub after 10) and retry.
   */
  readonly admissionWaitMs?: number;
}

/**
 * Resolves with the accepted event once it is durable; rejects with a PlexusError (or the store's error) otherwise.
 * `clock` is the listener's: the refund after the accept reads it again, and a bucket must only ever see one clock.
 * `request.headers` is what verification reads (every copy of a repeated header, so one sent twice is refused);
 * `eventHeaders`, what binary-mode attributes are taken from.
 */
export async function receiveDelivery(intake: DeliveryIntake, source: WebhookSource, request: WebhookRequest, clock: () => number, eventHeaders: HeaderRecord = request.headers): Promise<PlexusEvent> {
  const now = clock();
  const delivery = await verifyWebhookDelivery(source, request, undefined, now);
  const event = toWebhookEvent(delivery, eventHeaders, now);
  intake.limits.take(source.name, event.priority, now);
  const { deliveryId } = delivery;
  // Only an accepted event keeps its tokens: a resent copy (409) or a store
  // failure (5xx) must not drain the bucket the sender's next deliveries need.
  const refund = () => intake.limits.refund(source.name, event.priority, clock());
  let replayed: boolean;
  try {
    const claims = deliveryId === undefined ? undefined : [{ key: replayKey(source.name, deliveryId), ttlMs: source.replayWindowMs }];
    const result = await intake.host.accept([event], undefined, claims, intake.admissionWaitMs);
    replayed = result.replayed?.includes(0) === true;
  } catch (err) {
    refund();
    throw err;
  }
  if (replayed) {
    refund();
    throw replayedError(source.name, deliveryId as string);
  }
  return event;
}
