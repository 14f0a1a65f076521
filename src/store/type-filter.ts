// Journal and DLQ `type` filters take an exact type or a topic pattern
// (CONTRACT §2 syntax). An exact type matches only itself under topicMatches
// too; telling the two apart lets the SQLite store use its type index for
// the common exact case.
import { topicMatches } from '@plexus/plugin-sdk/runtime';
import type { DeadReason, DlqFilter } from './store.ts';

export function isTopicPattern(type: string): boolean {
  return type.split('.').some((word) => word === '*' || word === '#');
}

export function typeMatches(filterType: string, type: string): boolean {
  return isTopicPattern(filterType) ? topicMatches(filterType, type) : filterType === type;
}

/** What a DLQ filter looks at, without the envelope (the Redis store filters metadata in memory). */
export interface DlqFacts {
  id: string;
  plugin: string;
  source: string;
  type: string;
  reason: DeadReason;
  deadAt: number;
}

export function dlqFilterMatches(filter: DlqFilter, facts: DlqFacts): boolean {
  return (
    (filter.ids === undefined || filter.ids.includes(facts.id)) &&
    (filter.plugin === undefined || filter.plugin === facts.plugin) &&
    (filter.source === undefined || filter.source === facts.source) &&
    (filter.reason === undefined || filter.reason === facts.reason) &&
    (filter.type === undefined || typeMatches(filter.type, facts.type)) &&
    (filter.from === undefined || facts.deadAt >= filter.from) &&
    (filter.to === undefined || facts.deadAt < filter.to)
  );
}
