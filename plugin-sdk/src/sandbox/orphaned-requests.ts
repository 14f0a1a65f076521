// The host's requests in flight to the sandbox (sandbox-pool.ts), and what
// they get when it dies under them: nothing is left hanging. Batches are
// re-run one event at a time across every orphaned batch, so that the event
// that kills the sandbox again dies alone (rerun-after-crash.ts).
import { PlexusError, toErrorData } from '../errors.ts';
import { failure } from './outcome-check.ts';
import { rerunAfterCrash } from './rerun-after-crash.ts';
import type { PluginRuntimeSpec, RunResult, SandboxToHost } from './protocol.ts';
import type { WorkerLink } from './worker-links.ts';

export type PendingRun = { kind: 'run'; spec: PluginRuntimeSpec; eventsJson: string; count: number; resolve: (r: RunResult) => void; link?: WorkerLink; sentAt: number; reruns: number };
export type Pending = PendingRun | { kind: 'other'; resolve: (m: SandboxToHost) => void; reject: (e: Error) => void };

/** Times an event is re-run after the sandbox died under it beside other batches, before it is charged anyway. */
const MAX_RERUNS = 2;

/** The sandbox stopped (after close()) with these unanswered. */
export function settleStopped(orphans: readonly Pending[]): void {
  // A batch still unanswered when the sandbox stops is not run; it is answered, each event failed as unavailable (so retried later), never left hanging.
  const stopped = { name: 'PlexusError', code: 'PLEXUS_UNAVAILABLE', message: 'the sandbox stopped before running it' };
  for (const p of orphans) {
    if (p.kind === 'other') p.reject(new PlexusError('PLEXUS_UNAVAILABLE', 'the sandbox stopped'));
    else p.resolve({ outcomes: Array.from({ length: p.count }, () => failure(stopped)), restarts: [], denials: [], instanceLogs: [] });
  }
}

/** `run`: runs one event (the JSON text of a one-element array) as its `reruns`-th re-run; it may reject. */
export type RerunOne = (spec: PluginRuntimeSpec, eventJson: string, reruns: number) => Promise<RunResult>;

export class CrashReruns {
  /** The queue of single-event re-runs after a crash (recover). */
  #reruns: Promise<unknown> = Promise.resolve();
  readonly #run: RerunOne;

  constructor(run: RerunOne) {
    this.#run = run;
  }

  /**
   * The process or worker died under this batch (rerun-after-crash.ts).
   * `alone`: no other batch was running where the sandbox died. Re-runs go
   * one at a time across every orphaned batch, so that the event that kills
   * the sandbox again dies alone; one that keeps dying beside others is
   * charged after MAX_RERUNS all the same.
   */
  recover(p: PendingRun, cause: string, alone: boolean): Promise<RunResult> {
    const error = { name: 'PlexusError', code: 'PLEXUS_SANDBOX_CRASHED', message: `${p.spec.name} was running when ${cause}` };
    const runOne = (eventJson: string): Promise<RunResult> => {
      const run = this.#reruns.then(() => this.#run(p.spec, eventJson, p.reruns + 1)).catch((err: unknown) => ({ outcomes: [failure(toErrorData(err))], restarts: [], denials: [], instanceLogs: [] }));
      this.#reruns = run;
      return run;
    };
    return rerunAfterCrash(p.spec, p.eventsJson, p.count, error, runOne, alone || p.reruns >= MAX_RERUNS);
  }

  /**
   * A worker's link dropped. Either its thread died (piscina starts another)
   * or the whole process is dying and its exit has not been seen yet: links
   * close first. Its batches stay pending until that is known. If the process
   * answers `probe`, only the thread died, and they are re-run one by one now;
   * if it is dying, the pool's exit handler re-runs them after the respawn.
   * Re-running them at once would send their single runs to the dying
   * process's other workers and charge innocent events with its crash.
   */
  afterLinkClosed(pending: Map<number, Pending>, link: WorkerLink, probe: () => Promise<unknown>): void {
    const orphaned = [...pending].filter(([, p]) => p.kind === 'run' && p.link === link).map(([id]) => id);
    if (orphaned.length === 0) return;
    // Alone only if nothing else can have run on that thread: a batch sent through the sandbox process (no link) may have been on it, unseen here.
    const alone = orphaned.length === 1 && ![...pending.values()].some((p) => p.kind === 'run' && p.link === undefined);
    void probe().then(() => {
      for (const id of orphaned) {
        const p = pending.get(id);
        if (p?.kind !== 'run' || p.link !== link) continue; // the exit handler has it
        pending.delete(id);
        void this.recover(p, `its worker thread ${link.threadId} exited`, alone).then(p.resolve);
      }
    }, () => undefined);
  }
}
