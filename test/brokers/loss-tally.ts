// What every fault test ends with: for each message key, how many times it
// was handled (by one host or several sharing the work), summed into lost
// (never handled), duplicates (handled more than once) and each host's share.
// At least once means duplicates are counted and reported, never asserted away.

export interface Tally {
  /** Keys no host handled. */
  lost: number;
  /** Executions beyond the first, over all keys and hosts. */
  duplicates: number;
  /** Per counter (host), the keys it handled at least once. */
  handledBy: number[];
}

/** How many times a host ran the plugin for `key` (BrokerHost.seen, or a store read). */
export type SeenCounter = (key: string | number) => Promise<number>;

/** `prefix` + 0 … count-1 (numbers when there is no prefix), the keys the tests publish under. */
export function keys(count: number, prefix?: string): (string | number)[] {
  return Array.from({ length: count }, (_, i) => (prefix === undefined ? i : `${prefix}${i}`));
}

export async function tally(all: Iterable<string | number>, counters: readonly SeenCounter[]): Promise<Tally> {
  const result: Tally = { lost: 0, duplicates: 0, handledBy: counters.map(() => 0) };
  for (const key of all) {
    let total = 0;
    for (const [i, seen] of counters.entries()) {
      const n = await seen(key);
      total += n;
      if (n > 0) result.handledBy[i] = (result.handledBy[i] as number) + 1;
    }
    if (total === 0) result.lost++;
    else result.duplicates += total - 1;
  }
  return result;
}
