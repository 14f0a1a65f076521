// Plugin kv values are JSON text and `incr` works on JSON numbers (CONTRACT
// §4). The host's stores and the test harness's kv must accept exactly the
// same texts, so the grammar is the JSON `number` production with no
// surrounding whitespace, rather than JSON.parse (which tolerates whitespace
// and takes "5", true or [7] as things Number() turns into numbers) or Lua's
// tonumber (which takes hex and "inf"). The host's Redis script carries the
// same grammar in Lua (src/store/redis-kv.ts).
import { PlexusError } from './errors.ts';

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function parseJsonNumber(text: string): number | undefined {
  return JSON_NUMBER.test(text) ? Number(text) : undefined;
}

/** `by` as an incr takes it; the Redis store checks it before its script runs. */
export function checkIncrement(by: number): number {
  if (!Number.isFinite(by)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `incr: "by" must be a finite number, got ${by}`);
  return by;
}

/**
 * The value after `incr`: a missing value counts as 0. Plain IEEE-754 double
 * addition, which is also what the Redis script does, so every kv agrees on
 * every result. PLEXUS_INVALID_REQUEST for a non-finite `by`, a stored value
 * that is not a JSON number, or a result that is not finite.
 */
export function incrementJsonNumber(key: string, current: string | null, by: number): number {
  checkIncrement(by);
  const base = current === null ? 0 : parseJsonNumber(current);
  if (base === undefined) throw new PlexusError('PLEXUS_INVALID_REQUEST', `kv incr: the value of "${key}" is not a JSON number`);
  const next = base + by;
  if (!Number.isFinite(next)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `kv incr: the result for "${key}" is not a finite number`);
  return next;
}
