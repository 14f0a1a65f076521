// How long a lane the circuit breaker turned away waits before it asks again.
import type { CircuitRejection } from './circuit-breaker.ts';

/** How long a lane waiting for a circuit trial's outcome waits at most, if no batch of its own ends first (a cool-down shorter than this would poll). */
const TRIAL_BACKSTOP_MS = 1000;

export interface CircuitPause {
  /** The pause ends with the lane's own trial batch (PluginLane.batchEnded) rather than at its time. */
  awaitingTrial: boolean;
  pausedUntil: number;
}

/**
 * Open: the lane waits for the cool-down. Half-open: a trial batch of this
 * lane runs, and its end decides (batchEnded lifts the pause). Timed for a
 * cool-down, the pause outlived a successful trial by up to that long; with
 * a cool-down of 0 it polled every millisecond.
 */
export function circuitPause(rejection: CircuitRejection, now: number): CircuitPause {
  const awaitingTrial = rejection.state === 'half-open';
  return { awaitingTrial, pausedUntil: now + (awaitingTrial ? Math.max(rejection.retryAfterMs, TRIAL_BACKSTOP_MS) : rejection.retryAfterMs) };
}
