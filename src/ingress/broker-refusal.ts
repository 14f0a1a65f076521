// A broker message the host refuses (PLEXUS_INVALID_EVENT: not a valid
// CloudEvent, no usable type, JSON that does not parse) is never silently
// dropped (CONTRACT §5): it is recorded in the host's dead-letter queue with
// reason `invalid` before the broker is told to dead-letter it too.
//
// The store keeps DLQ entries for deliveries, so the refusal is journaled as
// an envelope around the raw bytes (type `plexus.ingress.refused`, the
// original content type) with one delivery to the ingress itself (`plugin`
// is the ingress name, e.g. `amqp:orders`, which no npm plugin name can
// collide with), settled dead at once. Two writes: if the host dies between
// them the broker message is not yet acknowledged, so it is redelivered and
// refused again; the half-written record stays pending under the ingress
// name, where no plugin ever picks it up.
import { PlexusError, type ErrorData, type PlexusEvent } from '@plexus/plugin-sdk';
import { DeliveryIds } from '../delivery/delivery-ids.ts';
import { formatRfc3339, newEventId } from '../envelope/index.ts';
import type { Store } from '../store/store.ts';

export const REFUSED_TYPE = 'plexus.ingress.refused';

export interface Refusal {
  /** The source the message arrived on: `amqp/orders`, `redis/stream:events`. */
  source: string;
  body: Buffer;
  contentType?: string;
  error: PlexusError;
}

export class RefusalRecorder {
  readonly #store: Pick<Store, 'accept' | 'settle' | 'host'>;
  readonly #ingress: string;
  readonly #dedupWindowMs: number;
  readonly #ids: DeliveryIds;

  constructor(store: Pick<Store, 'accept' | 'settle' | 'host'>, ingress: string, dedupWindowMs: number) {
    this.#store = store;
    // The id names the host a shared store acts for: a random one names a host with no lease,
    // whose deliveries another host adopts at once, and a settlement of an adopted delivery is dropped.
    this.#ids = new DeliveryIds(store.host);
    this.#ingress = ingress;
    this.#dedupWindowMs = dedupWindowMs;
  }

  /** Resolves once the refusal is a durable DLQ entry; answers its id. */
  async record(refusal: Refusal, now = Date.now()): Promise<string> {
    const event: PlexusEvent = {
      specversion: '1.0',
      id: newEventId(),
      source: refusal.source,
      type: REFUSED_TYPE,
      time: formatRfc3339(now),
      // The exact bytes, whatever they were: the point is to be able to look at them.
      datacontenttype: refusal.contentType ?? 'application/octet-stream',
      data_base64: refusal.body.toString('base64'),
      priority: 4,
    };
    const id = this.#ids.next(now);
    const { created } = await this.#store.accept([{ event, acceptedAt: now, deliveries: [{ id, plugin: this.#ingress }] }], this.#dedupWindowMs);
    const error: ErrorData = { ...refusal.error.toData(), permanent: true };
    await this.#store.settle([{ kind: 'dead', deliveryId: id, handle: created[0]?.handle, attempt: 0, reason: 'invalid', error, at: now }], [], this.#dedupWindowMs);
    return id;
  }
}

/** Whatever a decoder threw, as the refusal's error: PLEXUS_INVALID_EVENT unless it already is a PlexusError. */
export function refusalError(err: unknown): PlexusError {
  if (err instanceof PlexusError) return err;
  return new PlexusError('PLEXUS_INVALID_EVENT', `Invalid event: ${err instanceof Error ? err.message : String(err)}`);
}
