// A delivery as the engine holds it in memory, from its lane's queue or
// partition gate to its batch, and the tracker that tells an accept() caller
// when the delivery has its first durable outcome.
import type { DeliveryRecord } from '../store/store.ts';
import { UNMEASURED_EVENT_CHARS } from '../store/text-budget.ts';

/**
 * What an accept() caller is told once an event's every delivery has a durable first outcome:
 * the event's position in its call. Only the position: a tracker holding the event object
 * would keep it alive until then (store/fresh-record.ts).
 */
export type OnSettled = (index: number) => void;

/** Counts an accepted event's deliveries down to its first durable outcomes (see DeliveryEngine.accept). */
export interface SettleTracker {
  remaining: number;
  /** The event's position in its accept() call. */
  index: number;
  onSettled: OnSettled;
}

/** A delivery held in memory; `admitted` once it owns its partition key. */
export interface QueuedDelivery {
  record: DeliveryRecord;
  admitted: boolean;
  /** Set on deliveries accept() created until their first durable outcome. */
  tracker?: SettleTracker | undefined;
  /** Made for an event a plugin emitted: counted in the emitted deliveries' own room (lane-load.ts). */
  emitted?: boolean;
  /** Only with an expiresat (lane-expiry.ts): where it waits, or left a ghost; `watched`: in the ExpiryWatch. */
  waits?: 'ready' | 'gate' | 'ghost-ready' | 'ghost-gate' | undefined;
  watched?: boolean;
}

/** The length of a queued delivery's event text, as the sandbox batch will carry it (0 for none). */
export function textSize(delivery: QueuedDelivery | undefined): number {
  if (delivery === undefined) return 0;
  return delivery.record.eventJson?.length ?? UNMEASURED_EVENT_CHARS;
}
