// What an accept hands the lanes: the store lists the created delivery
// records in input order, minus duplicates (dedup) and replayed events, so one
// walk pairs each record with its event's position. With an onSettled callback, an
// event's deliveries share one tracker riding on the queued deliveries (so
// settling costs no lookup); an event left with no delivery to run (all
// duplicates, or no subscriber) is settled at once.
import type { AcceptInput, AcceptResult } from '../store/store.ts';
import type { OnSettled, QueuedDelivery, SettleTracker } from './plugin-lane.ts';

export interface AcceptedDeliveries {
  queued: QueuedDelivery[];
  /** Positions of the events with nothing to run: their onSettled is due now. */
  settledNow: number[];
}

export function acceptedDeliveries(inputs: readonly AcceptInput[], result: AcceptResult, onSettled?: OnSettled): AcceptedDeliveries {
  const queued: QueuedDelivery[] = [];
  const settledNow: number[] = [];
  const created = result.created;
  const replayed = result.replayed === undefined ? undefined : new Set(result.replayed);
  let next = 0;
  // Index loops: this runs for every delivery of every accept.
  for (let i = 0; i < inputs.length; i++) {
    if (replayed?.has(i)) continue;
    const { deliveries } = inputs[i] as AcceptInput;
    let tracker: SettleTracker | undefined;
    for (let j = 0; j < deliveries.length; j++) {
      const record = created[next];
      if (record === undefined || record.id !== (deliveries[j] as { id: string }).id) continue;
      next++;
      if (onSettled !== undefined) {
        tracker ??= { remaining: 0, index: i, onSettled };
        tracker.remaining++;
      }
      queued.push({ record, admitted: false, tracker });
    }
    if (onSettled !== undefined && tracker === undefined) settledNow.push(i);
  }
  return { queued, settledNow };
}
