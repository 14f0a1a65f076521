// The consumer group a stream is read through, and where it is (re)created.
// The first time, at the configured `start`. A group that disappears while
// this host consumes it (XGROUP DESTROY by an operator, FLUSHALL) fails the
// session with NOGROUP, and the next session creates it again: at `start`
// that re-read the whole stream ('0': every entry run a second time) or
// skipped what arrived meanwhile ('$'). It is created instead after the last
// entry this consumer took: the group's own position was at least there, so
// nothing is skipped, and nothing this consumer took is handed out again.
// (Entries other hosts took past that point are, once: at least once.)
import type { Redis } from 'ioredis';

/** The later of two stream entry ids (`<ms>-<seq>`, both up to 64 bits); `undefined` is before any. */
export function laterEntryId(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const [aMs, aSeq] = entryIdParts(a);
  const [bMs, bSeq] = entryIdParts(b);
  return bMs > aMs || (bMs === aMs && bSeq > aSeq) ? b : a;
}

function entryIdParts(id: string): [bigint, bigint] {
  const [ms = '0', seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
}

/** Creates the group at `at` (MKSTREAM: a deleted stream comes back empty); false when it already exists. */
export async function createGroup(commands: Redis, key: string, group: string, at: string): Promise<boolean> {
  try {
    await commands.call('XGROUP', ['CREATE', key, group, at, 'MKSTREAM']);
    return true;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('BUSYGROUP')) return false;
    throw err;
  }
}
