// Plugin kv values are JSON text and `incr` works on JSON numbers (CONTRACT
// §4). Both stores must accept exactly the same texts, so the grammar is the
// JSON `number` production with no surrounding whitespace, rather than
// JSON.parse (which tolerates whitespace) or Lua's tonumber (which takes hex
// and "inf"). redis-kv-scripts.ts carries the same grammar in Lua.
import { checkIncrement, kvIncrOnNonNumber, kvIncrOverflow } from './store-args.ts';

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function parseJsonNumber(text: string): number | undefined {
  return JSON_NUMBER.test(text) ? Number(text) : undefined;
}

/**
 * The value after `incr`: a missing value counts as 0. Plain IEEE-754 double
 * addition, which is also what the Redis script does, so both stores agree on
 * every result.
 */
export function incrementJsonNumber(key: string, current: string | null, by: number): number {
  checkIncrement(by);
  const base = current === null ? 0 : parseJsonNumber(current);
  if (base === undefined) throw kvIncrOnNonNumber(key);
  const next = base + by;
  if (!Number.isFinite(next)) throw kvIncrOverflow(key);
  return next;
}
