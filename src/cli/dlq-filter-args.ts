// The DLQ filter flags shared by `dlq list`, `dlq replay` and `dlq purge`,
// turned into the admin API's filter fields (times sent as RFC 3339).
import { DEAD_REASONS } from '../store/store.ts';
import { usageError } from './command.ts';
import { TIME_ARG_HELP, checkWindow, timeArgToRfc3339 } from './time-arg.ts';

export const FILTER_OPTIONS = {
  plugin: { type: 'string' },
  type: { type: 'string' },
  source: { type: 'string' },
  reason: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export const FILTER_HELP = `Filters:
  --plugin <name>      entries of this plugin
  --type <type>        events of this type
  --source <source>    events from this source
  --reason <reason>    ${DEAD_REASONS.join(' | ')}
  --from <time>        dead-lettered at or after (${TIME_ARG_HELP})
  --to <time>          dead-lettered before`;

export type FilterValues = { [K in keyof typeof FILTER_OPTIONS]?: string | undefined };

export type FilterFields = Partial<Record<keyof typeof FILTER_OPTIONS, string>>;

export function filterFields(command: string, values: FilterValues, now: number): FilterFields {
  const fields: FilterFields = {};
  for (const name of ['plugin', 'type', 'source'] as const) {
    const value = values[name];
    if (value !== undefined) fields[name] = value;
  }
  if (values.reason !== undefined) {
    if (!(DEAD_REASONS as readonly string[]).includes(values.reason)) throw usageError(command, `--reason must be one of ${DEAD_REASONS.join(', ')}`);
    fields.reason = values.reason;
  }
  for (const name of ['from', 'to'] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const time = timeArgToRfc3339(value, now);
    if (time === undefined) throw usageError(command, `--${name} must be ${TIME_ARG_HELP}; got "${value}"`);
    fields[name] = time;
  }
  if (fields.from !== undefined && fields.to !== undefined) checkWindow(command, fields.from, fields.to);
  return fields;
}
