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
// - a delivery whose outcome someone awaits (a broker message acknowledged
//   on it, an accept() caller counting settlements) is never held: such a
//   source keeps a bounded window of unsettled messages, so holding them
//   stalls the source itself (bench:brokers' Redis stream, 2,000 in flight,
//   lost 10-35% of its rate to a 10 ms linger). Webhook deliveries were
//   answered at their durable accept, and nobody waits on their outcome;
// - a lone event (nothing dispatched within lingerMs) goes at once;
// - once the stream pauses (nothing new for QUIET_MS) the batch goes.
// A full batch never waits (PluginLane.take checks that first).

/** What a lane remembers of its recent traffic, on the engine's monotonic clock (ms; a wall clock's step back would stretch the hold). */
export interface LingerState {
  /** When the lane last dispatched a batch; -Infinity before the first. */
  lastDispatchAt: number;
  /** When the last delivery joined the lane's queue. */
  lastArrivalAt: number;
  /** Queued deliveries whose first outcome someone awaits (QueuedDelivery.tracker). */
  awaited: number;
}

/** A gap in arrivals this long means the stream has paused. Two ticks of the ms clock, so one tick's rounding cannot end a wait. */
export const QUIET_MS = 2;

export function freshLingerState(): LingerState {
  return { lastDispatchAt: -Infinity, lastArrivalAt: -Infinity, awaited: 0 };
}

/**
 * Undefined: send the partial batch now. Otherwise the time at which to look
 * again (the wait's end, or the moment the stream would count as paused).
 */
export function holdPartialBatchUntil(state: LingerState, lingerMs: number, now: number): number | undefined {
  if (lingerMs <= 0 || state.awaited > 0) return undefined;
  const deadline = state.lastDispatchAt + lingerMs;
  const quietAt = state.lastArrivalAt + QUIET_MS;
  if (now >= deadline || now >= quietAt) return undefined;
  return Math.min(deadline, quietAt);
}
