// What one sandbox outcome means for its delivery, as data: the settlement to
// make durable, the events it emitted (only when it succeeded: the outbox),
// and whether it counts against the plugin's health (circuit breaker). Pure:
// the engine routes the emitted events and does the I/O.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { EMIT_DEPTH_ATTRIBUTE, emitDepthOf, toEmittedEvents, type CallOutcome } from '@plexus/plugin-sdk/runtime';
import { routingOf, type DeliveryRecord, type Settlement } from '../store/store.ts';
import { decideDisposition } from './disposition.ts';
import type { ActivePlugin } from './plugin-lane.ts';

export interface SettledOutcome {
  settlement: Settlement;
  emitted: readonly PlexusEvent[];
  /** Retries and non-permanent dead letters; a plugin rejecting bad input on purpose is healthy. */
  unhealthy: boolean;
}

const NO_EVENTS: readonly PlexusEvent[] = Object.freeze([]);

/** The chain depth of a delivery's event; only read for an outcome that emitted (a fresh record parses its text for it). */
export function deliveryDepth(record: DeliveryRecord): number {
  return emitDepthOf(record.event);
}

/**
 * The outcome as the host takes it: one whose emits would go past
 * `maxDepth` becomes a permanent failure (to the DLQ, nothing emitted), so an
 * emit loop ends there instead of filling the store. The plugin's logs stay.
 */
export function withinEmitDepth(outcome: CallOutcome, depth: number, plugin: Pick<ActivePlugin, 'name'>, maxDepth: number): CallOutcome {
  if (!outcome.ok || outcome.emitted.length === 0 || depth < maxDepth) return outcome;
  const message = `emit chain too deep: ${plugin.name} emitted ${outcome.emitted.length} event(s) while executing an event at chain depth ${depth}; the maximum depth is ${maxDepth} (an emit loop?)`;
  return { ok: false, error: { name: 'PlexusError', code: 'PLEXUS_EMIT_DEPTH_EXCEEDED', message, permanent: true }, emitted: [], logs: outcome.logs, droppedLogs: outcome.droppedLogs };
}

/** `depth`: the delivery's chain depth (deliveryDepth), needed only when the outcome emitted. */
export function settleOutcome(outcome: CallOutcome, record: DeliveryRecord, plugin: ActivePlugin, now: number, random: () => number, depth = 0): SettledOutcome {
  // The common case, first: success is always acknowledged (decideDisposition answers 'ack' for any ok outcome).
  if (outcome.ok && outcome.emitted.length === 0) return { settlement: { kind: 'done', deliveryId: record.id, handle: record.handle }, emitted: NO_EVENTS, unhealthy: false };
  const attempt = record.attempt + 1;
  const disposition = decideDisposition({
    outcome: outcome.ok ? { status: 'ok' } : { status: 'error', error: outcome.error },
    attempt, policy: plugin.retry, event: routingOf(record), now, random,
  });
  if (disposition === 'ack') {
    const emitted = outcome.ok && outcome.emitted.length > 0 ? toEmittedEvents(outcome.emitted, { traceparent: routingOf(record).traceparent, [EMIT_DEPTH_ATTRIBUTE]: depth }, plugin, new Date(now)) : [];
    return { settlement: { kind: 'done', deliveryId: record.id, handle: record.handle }, emitted, unhealthy: false };
  }
  if ('retryAt' in disposition) {
    const error = outcome.ok ? { name: 'Error', message: '' } : outcome.error;
    return { settlement: { kind: 'retry', deliveryId: record.id, handle: record.handle, attempt, availableAt: disposition.retryAt, error }, emitted: [], unhealthy: true };
  }
  return {
    settlement: { kind: 'dead', deliveryId: record.id, handle: record.handle, attempt, reason: disposition.deadLetter, error: outcome.ok ? undefined : outcome.error, at: now },
    emitted: [],
    unhealthy: disposition.deadLetter !== 'permanent',
  };
}
