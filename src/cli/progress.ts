// Progress for the commands whose one admin request can take long (install,
// bulk dlq replay and purge, replay). The admin API does each in a single
// request and reports nothing until it is done, so there are no counts to
// show on the way: on a terminal a spinner with the elapsed time says the
// command is waiting, not hung, and is erased before the result is printed.
// Off a terminal nothing is drawn, so logs and pipes get no control
// characters; stdout only ever carries the result.
import type { CliIo } from './command.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
// An answer faster than this draws nothing: no flicker for the common quick case.
const QUIET_MS = 250;
const CLEAR_LINE = '\r\u001b[K';

export interface Timed<T> {
  value: T;
  elapsedMs: number;
}

/** Runs `work` with a spinner on the terminal (if stderr is one), erased whatever the outcome. */
export async function withProgress<T>(io: CliIo, label: string, work: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const terminal = io.env.TERM === 'dumb' ? undefined : io.stderrTerminal;
  let drawn = false;
  let frame = 0;
  const timer = terminal === undefined ? undefined : setInterval(() => {
    const elapsedMs = performance.now() - started;
    if (elapsedMs < QUIET_MS) return;
    const line = `${FRAMES[frame++ % FRAMES.length]} ${label} (${formatElapsed(elapsedMs)})`;
    // A line wider than the terminal wraps, and \r then only returns to its last row.
    const width = terminal.columns !== undefined && terminal.columns > 1 ? terminal.columns - 1 : undefined;
    terminal.write(`${CLEAR_LINE}${width !== undefined && line.length > width ? line.slice(0, width) : line}`);
    drawn = true;
  }, FRAME_MS);
  // The spinner must never be what keeps the process alive.
  timer?.unref();
  try {
    const value = await work();
    return { value, elapsedMs: performance.now() - started };
  } finally {
    clearInterval(timer);
    // Erased before anything else is printed, so an error or the result starts on a clean line.
    if (drawn) terminal?.write(CLEAR_LINE);
  }
}

/**
 * With --json stdout is data only, so the human line goes to stderr, with the
 * time taken; without --json the stdout line already is the summary.
 */
export function reportDone(io: CliIo, json: boolean | undefined, summary: string, elapsedMs: number): void {
  if (json === true) io.stderr(`plexus: ${summary} in ${formatElapsed(elapsedMs)}`);
}

/** 0.4 s, 12 s, 3 min 07 s. */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** "1 entry", "3 entries". */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
