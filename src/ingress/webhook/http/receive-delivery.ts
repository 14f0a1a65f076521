// One webhook delivery from raw bytes to a durable event: verify (size,
// signature, JSON, type, delivery id, replay claim), build the envelope,
// charge the source's rate limit by the event's priority, accept. The answer
// is given only once host.accept resolved, i.e. once the event is durable.
//
// The replay claim is taken before the last three steps, so any failure
// after it (invalid envelope, rate limit, the store refusing the write)
// releases the id again: the sender's retry of that delivery must not be
// refused as a replay of something the host never accepted.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Host } from '../../../host/host.ts';
import type { HostLogger } from '../../../host/engine-hooks.ts';
import type { ReplayGuard } from '../replay-guard.ts';
import type { WebhookRequest } from '../signatures/verifier.ts';
import type { WebhookSource } from '../source-config.ts';
import { verifyWebhookDelivery } from '../verify-delivery.ts';
import type { SourceRateLimits } from './source-rate-limits.ts';
import { toWebhookEvent } from './webhook-event.ts';

export interface DeliveryIntake {
  readonly host: Pick<Host, 'accept'>;
  readonly replay: ReplayGuard;
  readonly limits: SourceRateLimits;
  readonly logger: HostLogger;
}

/** Resolves with the accepted event once it is durable; rejects with a PlexusError (or the store's error) otherwise. */
export async function receiveDelivery(intake: DeliveryIntake, source: WebhookSource, request: WebhookRequest, now: number): Promise<PlexusEvent> {
  const delivery = await verifyWebhookDelivery(source, request, intake.replay, now);
  try {
    const event = toWebhookEvent(delivery, request.headers, now);
    intake.limits.take(source.name, event.priority, now);
    await intake.host.accept([event]);
    return event;
  } catch (err) {
    if (delivery.deliveryId !== undefined) await release(intake, source.name, delivery.deliveryId);
    throw err;
  }
}

async function release(intake: DeliveryIntake, source: string, deliveryId: string): Promise<void> {
  try {
    await intake.replay.release(source, deliveryId);
  } catch (err) {
    // The refusal itself still goes out; only the sender's retry may now meet a 409 until the window ends.
    intake.logger.error({ source, deliveryId, err: err instanceof Error ? err.message : String(err) }, 'could not release a webhook delivery id');
  }
}
