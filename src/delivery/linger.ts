// When a lane holds a partial batch back so that more deliveries join it.
//
// Every batch costs a round trip to the sandbox process and a settle write,
// whatever its size. A lane that sent whatever it had the moment it was free
// ran batches of ~11 events under a steady webhook load (7k/s), and those
// round trips cost the sandbox ~45 µs of CPU per event against ~18 µs for
// batches of ~80 (bench:webhooks, 2 cores shared with the load generator).
// Waiting a few milliseconds for the stream to fill the batch is what Kafka's
// producer does with linger.ms; here it must never slow a stream that cannot
// fill it:
// - a lone event (nothing dispatched within lingerMs) goes at once;
// - when nothing arrived while the lane's last batch ran, the stream is waiting
//   on that batch (a broker's prefetch window held by unacked messages, a
//   client sending one request at a time): holding would only stall it;
// - once the stream pauses (nothing new for QUIET_MS) the batch goes, so a
//   window that has delivered all it can is not held for the full lingerMs.
// A full batch never waits (PluginLane.take checks that first).

/** What a lane remembers of its recent traffic, in the engine's clock (ms). */
export interface LingerState {
  /** When the lane last dispatched a batch; -Infinity before the first. */
  lastDispatchAt: number;
  /** When the last delivery joined the lane's queue. */
  lastArrivalAt: number;
  /** A delivery joined while a batch of the lane was running, since its last dispatch. */
  arrivedInFlight: boolean;
}

/** A gap in arrivals this long means the stream has paused. Two ticks of the ms clock, so one tick's rounding cannot end a wait. */
export const QUIET_MS = 2;

export function freshLingerState(): LingerState {
  return { lastDispatchAt: -Infinity, lastArrivalAt: -Infinity, arrivedInFlight: false };
}

/**
 * Undefined: send the partial batch now. Otherwise the time at which to look
 * again (the wait's end, or the moment the stream would count as paused).
 */
export function holdPartialBatchUntil(state: LingerState, lingerMs: number, now: number): number | undefined {
  if (lingerMs <= 0 || !state.arrivedInFlight) return undefined;
  const deadline = state.lastDispatchAt + lingerMs;
  const quietAt = state.lastArrivalAt + QUIET_MS;
  if (now >= deadline || now >= quietAt) return undefined;
  return Math.min(deadline, quietAt);
}
