// From the DLQ filter a request carries (query or body) to the store's
// DlqFilter. Bulk operations on an empty filter must say `all: true`: an
// empty filter matches every entry, and that should never happen because a
// filter was forgotten or mistyped.
import { PlexusError } from '@plexus/plugin-sdk';
import type { DeadReason, DlqFilter } from '../store/store.ts';
import { timeField as time } from './request-formats.ts';

export interface DlqFilterInput {
  plugin?: string;
  type?: string;
  source?: string;
  reason?: DeadReason;
  from?: string | number;
  to?: string | number;
}

export function toDlqFilter(input: DlqFilterInput): DlqFilter {
  const filter: DlqFilter = {};
  if (input.plugin !== undefined) filter.plugin = input.plugin;
  if (input.type !== undefined) filter.type = input.type;
  if (input.source !== undefined) filter.source = input.source;
  if (input.reason !== undefined) filter.reason = input.reason;
  if (input.from !== undefined) filter.from = time(input.from, 'from');
  if (input.to !== undefined) filter.to = time(input.to, 'to');
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'Invalid request: from must be before to');
  }
  return filter;
}

/** For purge and bulk replay: a filter, or `all: true`, never both and never neither. */
export function scopedFilter(input: DlqFilterInput & { all?: boolean }, operation: string): DlqFilter {
  const { all, ...fields } = input;
  const filter = toDlqFilter(fields);
  const empty = Object.keys(filter).length === 0;
  if (empty && all !== true) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `Refusing to ${operation} every dead-letter entry without all=true; give a filter (plugin, type, source, reason, from, to) or all=true`);
  }
  if (!empty && all === true) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'Give either a filter or all=true, not both');
  return filter;
}

