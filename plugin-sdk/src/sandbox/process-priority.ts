// Plugins are guests on the operator's machine: when CPU is short, the
// host's own pipeline (intake, durable writes, acks, the admin API) should
// get it first and plugin code should wait, not the other way round. The
// sandbox process lowers its own scheduling priority at start, before it
// starts its worker threads: its nice value becomes the one it inherited
// plus `steps` (as nice(1) adjusts), capped at 19. Relative, so a host an
// operator already runs niced keeps its plugins below it, and the sandbox
// never asks for more priority than it was given.
//
// On Linux nice is per thread: setpriority(PRIO_PROCESS, 0) changes only the
// calling thread, and threads inherit it only from the thread that creates
// them. The workers (and their own threads) are created later by this main
// thread, so they inherit it; V8's platform threads (GC helpers, compilers)
// already exist, so each thread listed in /proc/self/task is set too.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Highest nice value: the lowest priority. */
export const MAX_NICE = 19;

/** True for an adjustment 0-19: lowering priority needs no privileges, raising it would. */
export const isNiceSteps = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_NICE;

/** The nice value `steps` below `inherited`. */
export const lowered = (inherited: number, steps: number): number => Math.min(MAX_NICE, inherited + steps);

/** Lowers this process's threads by `steps`; answers what failed, if anything (the sandbox still runs, at the priority it has). */
export function lowerPriority(steps: number): string | undefined {
  try {
    const nice = lowered(getPriority(), steps);
    setPriority(nice);
    if (process.platform === 'linux') {
      for (const tid of readdirSync('/proc/self/task')) {
        try {
          setPriority(Number(tid), nice);
        } catch (err) {
          // A thread that ended since the listing needs no priority.
          if ((err as { info?: { code?: string } }).info?.code !== 'ESRCH') throw err;
        }
      }
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
