// What a batch gets when the sandbox died under it (the whole process, or the
// worker thread running it): it is re-run one event at a time, so only the
// event that kills the sandbox again is charged with it and its batch-mates
// succeed. A lone event owns the crash only when nothing else was running
// there (or it was already such a re-run): otherwise it may be another
// plugin's crash, and charging it would cost an innocent delivery an attempt.
// The host (sandbox-pool.ts) and the sandbox process (a piscina worker lost
// under a task) both use it.
import type { ErrorData } from '../errors.ts';
import { mergeDenials } from './denial-list.ts';
import { failure } from './outcome-check.ts';
import type { PluginRuntimeSpec, RunResult } from './protocol.ts';

/**
 * `runOne` runs one event, given as the JSON text of a one-element array, as
 * a re-run (whose own crash it charges), and never rejects. `ownsCrash`: the
 * batch was alone where the sandbox died, or is itself a re-run.
 */
export async function rerunAfterCrash(spec: PluginRuntimeSpec, eventsJson: string, count: number, error: ErrorData, runOne: (eventJson: string) => Promise<RunResult>, ownsCrash: boolean): Promise<RunResult> {
  const merged: RunResult = { outcomes: [], restarts: [{ key: spec.key, cause: 'crash' }], denials: [], instanceLogs: [] };
  if (count === 1 && ownsCrash) {
    merged.outcomes.push(failure(error));
    return merged;
  }
  for (const event of JSON.parse(eventsJson) as unknown[]) {
    const single = await runOne(JSON.stringify([event]));
    merged.outcomes.push(single.outcomes[0] ?? failure(error));
    merged.restarts.push(...single.restarts);
    mergeDenials(merged.denials, single.denials);
    merged.instanceLogs.push(...single.instanceLogs);
  }
  return merged;
}
