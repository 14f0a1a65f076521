// The engine's one writer: accepted events and settlements (with the events
// plugins emitted) that arrive together share a transaction (GroupCommit).
// store.settle accepts events in the same transaction as it records
// outcomes, so a plain accept is a settle with no settlements. Each caller
// gets back its own share of the merged result.
import type { AcceptInput, AcceptResult, DeliveryRecord, Settlement, Store } from '../store/store.ts';
import { GroupCommit } from './group-commit.ts';

interface Write {
  settlements: Settlement[];
  inputs: AcceptInput[];
}

export class StoreWriter {
  private readonly commits: GroupCommit<Write, AcceptResult>;

  constructor(store: Store, dedupWindowMs: number) {
    this.commits = new GroupCommit(async (writes) => {
      const settlements = writes.flatMap((w) => w.settlements);
      const inputs = writes.flatMap((w) => w.inputs);
      const result = settlements.length === 0 ? await store.accept(inputs, dedupWindowMs) : await store.settle(settlements, inputs, dedupWindowMs);
      return splitResult(writes.map((w) => w.inputs), result);
    });
  }

  /** Resolves once durable, with the records created for `inputs` (and which of them were replays). */
  write(settlements: Settlement[], inputs: AcceptInput[]): Promise<AcceptResult> {
    return this.commits.submit({ settlements, inputs });
  }
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
