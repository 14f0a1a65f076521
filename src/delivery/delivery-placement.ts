// Where a delivery waits once the engine holds it: in its plugin's lane, with
// the retry timer until its retry time, or parked while its plugin has no
// lane here (parked-deliveries.ts).
import type { ParkedDeliveries } from './parked-deliveries.ts';
import type { PluginLane } from './plugin-lane.ts';
import type { QueuedDelivery } from './queued-delivery.ts';
import type { RetryWaits } from './retry-waits.ts';

/** The places a delivery can wait in, the engine's own. */
export interface DeliveryPlaces {
  readonly lanes: ReadonlyMap<string, PluginLane>;
  readonly retries: RetryWaits;
  readonly parked: ParkedDeliveries;
}

/**
 * `due`: the retry timer says their wait is over (on the clock that never steps back), whatever the wall clock says now.
 * `now` is the wall clock (availableAt is on it), `clock` the lanes' clock that never steps back.
 */
export function placeDeliveries(deliveries: readonly QueuedDelivery[], places: DeliveryPlaces, due: boolean, now: number, clock: number): void {
  let lane: PluginLane | undefined;
  for (const d of deliveries) {
    // Deliveries arrive in runs for one plugin: look the lane up when the plugin changes.
    if (lane === undefined || lane.plugin.name !== d.record.plugin) lane = places.lanes.get(d.record.plugin);
    if (lane === undefined) {
      // A plugin removed with deliveries left: they wait for its return, never dropped.
      // Even those not yet due: one sent to the retry timer here could not take its
      // partition key (no lane) and a later delivery of the key, parked, would take it
      // first once the plugin is back. setPlugins sends them all through here again.
      places.parked.park(d);
      continue;
    }
    if (!due && d.record.availableAt > now) {
      if (lane.claimPartition(d) === 'wait') continue;
      places.retries.schedule(d, d.record.availableAt);
      continue;
    }
    lane.enqueue(d, clock);
  }
}
