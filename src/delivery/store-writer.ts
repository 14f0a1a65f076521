// The engine's one writer: accepted events and settlements (with the events
// plugins emitted) that arrive together share a transaction (GroupCommit).
// store.settle accepts events in the same transaction as it records
// outcomes, so a plain accept is a settle with no settlements. Each caller
// gets back its own share of the merged result.
import type { AcceptInput, AcceptResult, DeliveryRecord, Settlement, Store } from '../store/store.ts';
import { checkClaims } from '../store/store-args.ts';
import { GroupCommit } from './group-commit.ts';

interface Write {
  settlements: Settlement[];
  inputs: AcceptInput[];
}

export class StoreWriter {
  private readonly commits: GroupCommit<Write, AcceptResult>;

  constructor(store: Store, dedupWindowMs: number) {
    this.commits = new GroupCommit(async (writes) => {
      const settlements = concat(writes, (w) => w.settlements);
      const inputs = concat(writes, (w) => w.inputs);
      const result = settlements.length === 0 ? await store.accept(inputs, dedupWindowMs) : await store.settle(settlements, inputs, dedupWindowMs);
      const shares = splitResult(writes.map((w) => w.inputs), result);
      if (result.unapplied !== undefined) splitUnapplied(writes, result.unapplied, shares);
      return shares;
    }, (write) => write.settlements.length + write.inputs.length);
  }

  /** Resolves once durable, with the records created for `inputs` (and which of them were replays). */
  write(settlements: Settlement[], inputs: AcceptInput[]): Promise<AcceptResult> {
    // The store checks the claims of the merged write as a whole: one caller's
    // invalid claim would fail every caller merged with it. Refused here, it
    // fails its own write only, before joining the group.
    try {
      checkClaims(inputs);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.commits.submit({ settlements, inputs });
  }
}

/**
 * The parts joined into one array of exactly their total length. flatMap
 * grows its result as it goes: it allocated ~52 B per accepted event here,
 * this ~16 B (heap sampling of bench:core's path), for a copy of pointers.
 */
function concat<T>(writes: readonly Write[], part: (write: Write) => readonly T[]): T[] {
  let length = 0;
  for (const write of writes) length += part(write).length;
  const all = new Array<T>(length);
  let at = 0;
  for (const write of writes) {
    const items = part(write);
    for (let i = 0; i < items.length; i++) all[at++] = items[i] as T;
  }
  return all;
}

/**
 * Each group's share of a merged write: created records come back in input
 * order, so one walk splits them; replayed positions are shifted to each
 * group's own inputs (their deliveries are not duplicates).
 */
export function splitResult(groups: readonly AcceptInput[][], result: AcceptResult): AcceptResult[] {
  const all = result.created;
  const replayed = new Set(result.replayed ?? []);
  let next = 0;
  let offset = 0;
  return groups.map((inputs) => {
    const created: DeliveryRecord[] = [];
    const mine: number[] = [];
    let expected = 0;
    // Index loops: this walks every delivery of every commit, and entries()
    // with destructuring allocates per element where V8 does not optimize it.
    for (let i = 0; i < inputs.length; i++) {
      if (replayed.has(offset + i)) {
        mine.push(i);
        continue;
      }
      const deliveries = (inputs[i] as AcceptInput).deliveries;
      for (let j = 0; j < deliveries.length; j++) {
        expected++;
        const record = all[next];
        if (record !== undefined && record.id === (deliveries[j] as { id: string }).id) {
          created.push(record);
          next++;
        }
      }
    }
    offset += inputs.length;
    const share: AcceptResult = { created, duplicates: expected - created.length };
    if (mine.length > 0) share.replayed = mine;
    return share;
  });
}

/** Each write's unapplied settlements (AcceptResult.unapplied), as positions in its own settlements. */
function splitUnapplied(writes: readonly Write[], unapplied: readonly number[], shares: AcceptResult[]): void {
  const sorted = [...unapplied].sort((a, b) => a - b);
  let w = 0;
  let offset = 0;
  for (const position of sorted) {
    while (w < writes.length && position >= offset + (writes[w] as Write).settlements.length) offset += (writes[w++] as Write).settlements.length;
    const share = shares[w];
    if (share === undefined) break;
    (share.unapplied ??= []).push(position - offset);
  }
}
