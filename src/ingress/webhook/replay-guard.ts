// Replay protection: a delivery id is accepted once per replay window.
// The store does the check-and-record in one step so two concurrent copies
// of a delivery cannot both pass. The host's HTTP route does not use this
// guard: it claims the id in the very transaction that accepts the event
// (AcceptInput.claim), under the same key. The guard serves callers of
// verifyWebhookDelivery that have no host store.
import { PlexusError } from '@plexus/plugin-sdk';

export interface ReplayStore {
  /** True when `key` was already recorded and has not expired; otherwise records it for ttlMs and returns false. Atomic. */
  seen(key: string, ttlMs: number): Promise<boolean>;
  /** Drops `key`, so a delivery that could not be accepted durably can be retried by its sender. */
  forget?(key: string): Promise<void>;
}

export class ReplayGuard {
  readonly #store: ReplayStore;

  constructor(store: ReplayStore) {
    this.#store = store;
  }

  /** Records the delivery or throws PLEXUS_REPLAYED (HTTP 409). */
  async claim(source: string, deliveryId: string, windowMs: number): Promise<void> {
    if (await this.#store.seen(replayKey(source, deliveryId), windowMs)) throw replayedError(source, deliveryId);
  }

  /** Undoes claim when the route failed to accept the event durably; without it the sender's retry would be refused as a replay. */
  async release(source: string, deliveryId: string): Promise<void> {
    await this.#store.forget?.(replayKey(source, deliveryId));
  }
}

/** Source names cannot contain `:` (see parse-sources.ts), so keys of different sources never collide. */
export function replayKey(source: string, deliveryId: string): string {
  return `webhook:${source}:${deliveryId}`;
}

export function replayedError(source: string, deliveryId: string): PlexusError {
  return new PlexusError('PLEXUS_REPLAYED', `delivery ${JSON.stringify(deliveryId)} of source ${source} was already received`);
}
