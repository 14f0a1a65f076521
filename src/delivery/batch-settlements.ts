// What a batch's sandbox result means, as data: one settlement per delivery,
// the events the plugin emitted (routed, to be accepted with the
// settlements), and whether the batch counts against the plugin's health.
// The hooks see every denial, restart and log on the way, and each outcome
// once it is final (reportOutcomes: a refusal of the emits changes it).
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DEFAULT_MAX_EMIT_DEPTH, type CallOutcome, type RunResult } from '@plexus/plugin-sdk/runtime';
import type { AcceptInput, DeliveryRecord, Settlement } from '../store/store.ts';
import type { EngineHooks } from './engine-options.ts';
import type { ActivePlugin, QueuedDelivery } from './plugin-lane.ts';
import { deliveryDepth, settleOutcome, withinEmitDepth } from './settle-outcome.ts';

export interface BatchSettlements {
  settlements: Settlement[];
  /** The outcome each settlement stands for, as the hooks are told it. */
  outcomes: CallOutcome[];
  emitted: AcceptInput[];
  /** Some outcome counts against the plugin's circuit breaker. */
  unhealthy: boolean;
  /** From the batch's start to its outcomes. */
  durationMs: number;
}

export interface SettleContext {
  plugin: ActivePlugin;
  now: number;
  /** When the batch started, for the durations the hooks report. */
  started: number;
  random: () => number;
  /** The deliveries an emitted event gets (the routing table for emitted events). */
  route(event: PlexusEvent, now: number): AcceptInput['deliveries'];
  hooks: Partial<EngineHooks> | undefined;
  /** How deep an emit chain may go (DEFAULT_MAX_EMIT_DEPTH when absent): the host's, never a plugin's. */
  maxEmitDepth?: number;
}

/** The outcome, or a permanent failure if its emits would take the chain past the maximum depth (the hooks log it, throttled). */
function checkedDepth(outcome: CallOutcome, record: DeliveryRecord, context: SettleContext): { outcome: CallOutcome; depth: number } {
  // Nearly every outcome emits nothing: no depth to read (reading it parses a fresh record's event).
  if (!outcome.ok || outcome.emitted.length === 0) return { outcome, depth: 0 };
  const depth = deliveryDepth(record);
  return { outcome: withinEmitDepth(outcome, depth, context.plugin, context.maxEmitDepth ?? DEFAULT_MAX_EMIT_DEPTH), depth };
}

/** The batch's events as one JSON array, from the texts the store already made; undefined unless every record has one. */
export function batchJson(batch: readonly QueuedDelivery[]): string | undefined {
  let json = '[';
  for (let i = 0; i < batch.length; i++) {
    const text = (batch[i] as QueuedDelivery).record.eventJson;
    if (text === undefined) return undefined;
    json += i === 0 ? text : `,${text}`;
  }
  return `${json}]`;
}

export function settleBatch(batch: readonly QueuedDelivery[], result: RunResult, context: SettleContext): BatchSettlements {
  const { plugin, now, started, random, hooks } = context;
  hooks?.batch?.(plugin, batch.length, now - started);
  for (const denial of result.denials) hooks?.denial?.(plugin, denial);
  for (const restart of result.restarts) hooks?.restart?.(plugin, restart.cause);
  for (const record of result.instanceLogs) hooks?.pluginLog?.(plugin, record, undefined);
  const settlements: Settlement[] = [];
  const outcomes: CallOutcome[] = [];
  const emitted: AcceptInput[] = [];
  let unhealthy = false;
  result.outcomes.forEach((ran, i) => {
    const record: DeliveryRecord = (batch[i] as QueuedDelivery).record;
    const { outcome, depth } = checkedDepth(ran, record, context);
    const settled = settleOutcome(outcome, record, plugin, now, random, depth);
    if (settled.unhealthy) unhealthy = true;
    // Nearly always empty: skip the iterator (this runs for every delivery).
    // `cause`: if the store does not apply this delivery's settlement (another host runs it now, or it
    // is gone), its events are not accepted either (AcceptInput.cause).
    if (settled.emitted.length > 0) for (const event of settled.emitted) emitted.push({ event, acceptedAt: now, deliveries: context.route(event, now), cause: record.id });
    settlements.push(settled.settlement);
    outcomes.push(outcome);
    if (outcome.logs.length > 0) for (const log of outcome.logs) hooks?.pluginLog?.(plugin, log, record.event);
  });
  return { settlements, outcomes, emitted, unhealthy, durationMs: now - started };
}

/**
 * Tells the hooks each delivery's outcome and settlement, once final: after
 * its emits got room or were refused. Told before, a refused delivery was
 * reported done, and its retry or dead letter reached no counter.
 */
export function reportOutcomes(plugin: ActivePlugin, batch: readonly QueuedDelivery[], settled: BatchSettlements, hooks: Partial<EngineHooks> | undefined): void {
  const report = hooks?.outcome;
  if (report === undefined) return;
  settled.settlements.forEach((settlement, i) => report(plugin, (batch[i] as QueuedDelivery).record, settled.outcomes[i] as CallOutcome, settlement, settled.durationMs));
}
