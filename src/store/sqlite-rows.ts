// Typed reads of node:sqlite rows. Columns are checked rather than cast: a
// wrong type here means a corrupt or foreign database, which must fail loudly.
import type { SQLOutputValue } from 'node:sqlite';
import type { ErrorData, PlexusEvent } from '@plexus/plugin-sdk';
import type { DeadReason, DeliveryRecord, DlqEntry } from './store.ts';

export type Row = Record<string, SQLOutputValue>;

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`store: column ${column} is not text`);
  return value;
}

export function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw new TypeError(`store: column ${column} is not a number`);
  return value;
}

function optionalError(row: Row, column: string): ErrorData | undefined {
  const value = row[column];
  return typeof value === 'string' ? (JSON.parse(value) as ErrorData) : undefined;
}

export function envelope(row: Row): PlexusEvent {
  return JSON.parse(text(row, 'envelope')) as PlexusEvent;
}

/** Columns: id, seq, plugin, attempt, available_at, accepted_at, last_error of a deliveries row; the event comes from the journal. */
export function toDelivery(row: Row, event: PlexusEvent): DeliveryRecord {
  const record: DeliveryRecord = {
    id: text(row, 'id'),
    seq: int(row, 'seq'),
    plugin: text(row, 'plugin'),
    event,
    attempt: int(row, 'attempt'),
    availableAt: int(row, 'available_at'),
    acceptedAt: int(row, 'accepted_at'),
  };
  const lastError = optionalError(row, 'last_error');
  if (lastError !== undefined) record.lastError = lastError;
  return record;
}

/** Columns: id, plugin, reason, attempts, error, accepted_at, dead_at, envelope. */
export function toDlqEntry(row: Row): DlqEntry {
  const entry: DlqEntry = {
    id: text(row, 'id'),
    plugin: text(row, 'plugin'),
    event: envelope(row),
    reason: text(row, 'reason') as DeadReason,
    attempts: int(row, 'attempts'),
    acceptedAt: int(row, 'accepted_at'),
    deadAt: int(row, 'dead_at'),
  };
  const error = optionalError(row, 'error');
  if (error !== undefined) entry.error = error;
  return entry;
}
