// What the lanes hold in memory, as the engine counts it: for its depth and
// idle() (every enabled lane alike), and for backpressure at accept()
// (admissionLoad, where egress lanes have a room of their own).
import type { PluginLane } from './plugin-lane.ts';
import type { QueuedDelivery } from './queued-delivery.ts';
import type { RetryCounts, RetryRoom } from './retry-waits.ts';

const NO_RETRIES: RetryCounts = { ingress: 0, emitted: 0, egress: 0 };

/** Deliveries waiting in enabled lanes (a disabled plugin's are parked, not counted). */
export function queuedIn(lanes: Iterable<PluginLane>): number {
  let n = 0;
  for (const lane of lanes) if (lane.enabled) n += lane.queued;
  return n;
}

/**
 * What backpressure at accept() counts against maxQueued. Egress lanes (emittedOnly)
 * hold what plugins emitted for a broker, and while that broker is away
 * they only grow: counted in full, an egress outage would stop every
 * ingress, webhooks included, once maxQueued events wait for it. They get
 * a room of their own as large as maxQueued, and hold ingress back only
 * beyond it, so memory stays bounded (at most twice maxQueued).
 * Deliveries waiting for their retry time count in the room they came from
 * (retry-waits.ts).
 */
export function admissionLoad(lanes: Iterable<PluginLane>, maxQueued: number, retrying: RetryCounts = NO_RETRIES): number {
  let plugins = retrying.ingress;
  let egress = retrying.egress;
  for (const lane of lanes) {
    if (!lane.enabled) continue;
    if (lane.plugin.emittedOnly === true) egress += lane.queued;
    else plugins += lane.queued - lane.emittedQueued;
  }
  return plugins + Math.max(0, egress - maxQueued);
}

/**
 * The deliveries of emitted events waiting in plugin lanes: they have a room
 * of their own as large as maxQueued, and emits wait while it is full
 * (emit-backpressure.ts; one emitting batch may pass it by its own emits).
 * Counted with ingress, a plugin fanning out kept the host over maxQueued
 * with its own emits and shut every ingress out; counted only beyond their
 * room, that overshoot still refused some ingress (3-21 of 100 pings in a
 * fan-out). So ingress does not count them at all: the emit room bounds
 * them, and memory stays bounded by the ingress, emitted and egress rooms
 * together.
 */
export function emittedLoad(lanes: Iterable<PluginLane>, retrying: RetryCounts = NO_RETRIES): number {
  let n = retrying.emitted;
  for (const lane of lanes) if (lane.enabled && lane.plugin.emittedOnly !== true) n += lane.emittedQueued;
  return n;
}

/**
 * The room a delivery of `lane` takes while it waits for its retry time: the
 * one it took while queued there (admissionLoad, emittedLoad). Without a
 * lane here (its plugin removed meanwhile), with ingress.
 */
export function retryRoom(lane: PluginLane | undefined, delivery: QueuedDelivery): RetryRoom {
  if (lane?.plugin.emittedOnly === true) return 'egress';
  return delivery.emitted === true ? 'emitted' : 'ingress';
}
