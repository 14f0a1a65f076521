// The capability denials a batch reports to the host. A plugin can cause one
// per call (ctx.emit of an ungranted type in a loop, each caught), so the list
// a worker collects is bounded: the first MAX_LISTED_DENIALS are listed one by
// one; past that, each capability gets one more entry whose `count` tallies
// the rest. The host's denial counter adds counts, so it stays exact while the
// list, the IPC message and the host's log lines stay small.
import type { Denial } from './protocol.ts';

export const MAX_LISTED_DENIALS = 100;

/** How many denials an entry stands for. */
export function denialCount(denial: Denial): number {
  return denial.count !== undefined && Number.isSafeInteger(denial.count) && denial.count > 0 ? denial.count : 1;
}

export function addDenial(list: Denial[], denial: Denial): void {
  if (list.length < MAX_LISTED_DENIALS) {
    list.push(denial);
    return;
  }
  // Entries past the cap are the tallies: at most one per plugin and capability.
  for (let i = MAX_LISTED_DENIALS; i < list.length; i++) {
    const tally = list[i] as Denial;
    if (tally.plugin === denial.plugin && tally.capability === denial.capability) {
      tally.count = denialCount(tally) + denialCount(denial);
      return;
    }
  }
  list.push({ ...denial, count: denialCount(denial) });
}

/** Adds `from` to `into` under the same bound (a re-run's denials joining its batch's). */
export function mergeDenials(into: Denial[], from: readonly Denial[]): void {
  for (const denial of from) addDenial(into, denial);
}
