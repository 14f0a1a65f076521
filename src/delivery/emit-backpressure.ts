// Backpressure on the events plugins emit. They used to go straight into
// the lanes with their delivery's settlement, past delivery.maxQueued, while
// counting against it for ingress: a plugin that fans out (100 emits per
// event it subscribes to) filled memory by ~50 MB/s and shut ingress out
// entirely. Now an emitting batch's settlement waits for room like an accept
// does, holding its lane slot meanwhile (so only the emitting lane is held
// back, and what waits in memory is at most concurrency batches of emits per
// lane). Waiting can deadlock: when the deliveries that fill the host can
// only be drained by lanes whose every slot waits for room (a plugin fed by
// its own emits), no room ever comes. Then, and when a wait outlasts
// EMIT_ROOM_WAIT_MS, the emitting deliveries are settled as a retryable
// PLEXUS_RATE_LIMITED failure instead: their emits were never accepted (so
// nothing accepted is lost), the deliveries run again after their backoff,
// and the lane's slots go back to draining its queue.
import { failure, type CallOutcome } from '@plexus/plugin-sdk/runtime';
import type { AcceptInput, Settlement } from '../store/store.ts';
import type { Admission } from './admission.ts';
import type { BatchSettlements } from './batch-settlements.ts';
import { emittedLoad } from './lane-load.ts';
import type { ActivePlugin, PluginLane, QueuedDelivery } from './plugin-lane.ts';
import type { RetryCounts } from './retry-waits.ts';
import { settleOutcome } from './settle-outcome.ts';

/** The longest an emitting batch holds its lane slot waiting for room before its emits are refused. */
export const EMIT_ROOM_WAIT_MS = 5000;

/** The deliveries an emitting batch's events would add to the lanes. */
export function emittedDeliveries(emitted: readonly AcceptInput[]): number {
  let n = 0;
  for (const input of emitted) n += input.deliveries.length;
  return n;
}

/**
 * Whether waiting for room cannot end: every lane that holds queued
 * deliveries has all of its slots taken by batches waiting for room, so no
 * lane can take a delivery out of its queue. (A lane paused by its rate
 * limit or circuit, or one with a slot free, drains in time.)
 */
export function emitsDeadlocked(lanes: Iterable<PluginLane>, waiting: ReadonlyMap<PluginLane, number>): boolean {
  let held = false;
  for (const lane of lanes) {
    if (!lane.enabled || lane.queued === 0) continue;
    if ((waiting.get(lane) ?? 0) < lane.plugin.concurrency) return false;
    held = true;
  }
  return held;
}

/**
 * The batch's settlements and outcomes with its emits refused: each delivery
 * that emitted is settled as a retryable PLEXUS_RATE_LIMITED failure under
 * its plugin's retry policy (a retry, or a dead letter once its retries are
 * spent), and nothing it emitted is accepted. Its outcome is that failure
 * (with the run's logs), as the hooks count it.
 */
export function refuseEmits(batch: readonly QueuedDelivery[], settled: Pick<BatchSettlements, 'settlements' | 'outcomes' | 'emitted'>, plugin: ActivePlugin, now: number, random: () => number, capacity: number): { settlements: Settlement[]; outcomes: CallOutcome[] } {
  const causes = new Set<string>();
  for (const input of settled.emitted) if (input.cause !== undefined) causes.add(input.cause);
  const refused = failure({ name: 'PlexusError', code: 'PLEXUS_RATE_LIMITED', message: `${plugin.name} emitted events while the host holds delivery.maxQueued (${capacity}) deliveries; the event runs again later` });
  const settlements = [...settled.settlements];
  const outcomes = [...settled.outcomes];
  batch.forEach(({ record }, i) => {
    if (!causes.has(record.id)) return;
    const ran = outcomes[i] as CallOutcome;
    const outcome: CallOutcome = { ...refused, logs: ran.logs, droppedLogs: ran.droppedLogs };
    outcomes[i] = outcome;
    settlements[i] = settleOutcome(outcome, record, plugin, now, random).settlement;
  });
  return { settlements, outcomes };
}

/**
 * The emitted deliveries' room (lane-load.ts): an emitting batch waits in
 * `enter` for room for its deliveries and reserves it until `leave`, once
 * they are queued. Sleeps and wake-ups are the engine's admission's, so one
 * wakeAll serves accepts and emits alike.
 */
export class EmitRoom {
  readonly #lanes: () => Iterable<PluginLane>;
  readonly #admission: Admission;
  readonly #capacity: number;
  readonly #stopping: () => boolean;
  readonly #retrying: () => RetryCounts;
  /** Reserved by emitting batches until their deliveries are queued. */
  #reserved = 0;
  /** Per lane, its batches waiting here, each holding a lane slot. */
  readonly #waits = new Map<PluginLane, number>();

  /** `retrying`: the deliveries waiting for their retry time (retry-waits.ts); the emitted ones count in this room. */
  constructor(lanes: () => Iterable<PluginLane>, admission: Admission, capacity: number, stopping: () => boolean, retrying: () => RetryCounts) {
    this.#retrying = retrying;
    this.#lanes = lanes;
    this.#admission = admission;
    this.#capacity = capacity;
    this.#stopping = stopping;
  }

  get full(): boolean {
    return emittedLoad(this.#lanes(), this.#retrying()) + this.#reserved >= this.#capacity;
  }

  /** Waits for room for `count` deliveries and reserves it; false when it cannot come (a deadlock, or EMIT_ROOM_WAIT_MS passed). */
  async enter(lane: PluginLane, count: number): Promise<boolean> {
    if (this.full && !this.#stopping()) {
      const giveUpAt = performance.now() + EMIT_ROOM_WAIT_MS;
      this.#waits.set(lane, (this.#waits.get(lane) ?? 0) + 1);
      // The others waiting look again: this wait may be the one that leaves no lane free to drain the queues.
      this.#admission.wakeAll();
      try {
        while (this.full && !this.#stopping()) {
          if (performance.now() >= giveUpAt || emitsDeadlocked(this.#lanes(), this.#waits)) return false;
          await this.#admission.sleep(giveUpAt);
        }
      } finally {
        const left = (this.#waits.get(lane) ?? 1) - 1;
        if (left === 0) this.#waits.delete(lane);
        else this.#waits.set(lane, left);
      }
    }
    this.#reserved += count;
    return true;
  }

  /** The room `enter` reserved is taken by the queued deliveries now (or not needed: the write failed). */
  leave(count: number): void {
    this.#reserved -= count;
  }
}
