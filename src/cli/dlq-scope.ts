// `dlq replay` and `dlq purge` act on one entry, on the entries a filter
// matches, or on all of them, and must be told which: with no id, no filter
// and no --all they refuse (exit 2) instead of touching every entry.
import { usageError } from './command.ts';
import { filterFields, type FilterFields, type FilterValues } from './dlq-filter-args.ts';

export type DlqScope = { kind: 'one'; id: string } | { kind: 'all' } | { kind: 'filter'; fields: FilterFields };

export function dlqScope(command: string, id: string | undefined, values: FilterValues & { all?: boolean | undefined }, now: number, allowId: boolean): DlqScope {
  const fields = filterFields(command, values, now);
  const hasFilter = Object.keys(fields).length > 0;
  const chosen = [id !== undefined, values.all === true, hasFilter].filter(Boolean).length;
  const forms = allowId ? '<id>, filters or --all' : 'filters or --all';
  if (chosen === 0) throw usageError(command, `give ${forms}`);
  if (chosen > 1) throw usageError(command, `give only one of ${forms}`);
  if (id !== undefined) return { kind: 'one', id };
  return values.all === true ? { kind: 'all' } : { kind: 'filter', fields };
}
