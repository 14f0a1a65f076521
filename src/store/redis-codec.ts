// The JSON shapes the Redis store keeps in its hashes. Scripts never parse
// JSON (cjson would re-encode numbers with 14 digits): JavaScript encodes
// every value and scripts only move strings, except that the batch script
// prefixes a new delivery's JSON with the seq it just allocated.
import type { ErrorData, PlexusEvent } from '@plexus/plugin-sdk';
import type { DeadReason, DeliveryRecord, DlqEntry } from './store.ts';
import type { DlqFacts } from './type-filter.ts';

/** A delivery without its event (the event lives once in the journal). */
export interface StoredDelivery {
  seq: number;
  plugin: string;
  attempt: number;
  availableAt: number;
  acceptedAt: number;
  lastError?: ErrorData;
}

export interface StoredDlqMeta {
  seq: number;
  plugin: string;
  source: string;
  type: string;
  reason: DeadReason;
  attempts: number;
  error?: ErrorData;
  acceptedAt: number;
  deadAt: number;
}

export function encodeDelivery(d: StoredDelivery): string {
  const { seq, plugin, attempt, availableAt, acceptedAt, lastError } = d;
  return JSON.stringify(lastError === undefined ? { seq, plugin, attempt, availableAt, acceptedAt } : { seq, plugin, attempt, availableAt, acceptedAt, lastError });
}

/** A fresh delivery's JSON after `{"seq":N,` — the batch script supplies that head once it has allocated N. */
export function freshDeliveryTail(plugin: string, acceptedAt: number): string {
  return JSON.stringify({ plugin, attempt: 0, availableAt: acceptedAt, acceptedAt }).slice(1);
}

export function decodeDelivery(json: string): StoredDelivery {
  return JSON.parse(json) as StoredDelivery;
}

export function toDeliveryRecord(id: string, stored: StoredDelivery, event: PlexusEvent): DeliveryRecord {
  const record: DeliveryRecord = { id, seq: stored.seq, plugin: stored.plugin, event, attempt: stored.attempt, availableAt: stored.availableAt, acceptedAt: stored.acceptedAt };
  if (stored.lastError !== undefined) record.lastError = stored.lastError;
  return record;
}

export function encodeDlqMeta(meta: StoredDlqMeta): string {
  return JSON.stringify(meta);
}

export function decodeDlqMeta(id: string, json: string): StoredDlqMeta & DlqFacts {
  return { ...(JSON.parse(json) as StoredDlqMeta), id };
}

export function toDlqEntry(id: string, meta: StoredDlqMeta, event: PlexusEvent): DlqEntry {
  const entry: DlqEntry = { id, plugin: meta.plugin, event, reason: meta.reason, attempts: meta.attempts, acceptedAt: meta.acceptedAt, deadAt: meta.deadAt };
  if (meta.error !== undefined) entry.error = meta.error;
  return entry;
}

export function decodeEvent(json: string): PlexusEvent {
  return JSON.parse(json) as PlexusEvent;
}
