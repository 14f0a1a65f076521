// Runs a synchronous function under a time limit that V8 enforces from
// outside: a vm script's timeout interrupts whatever runs, a regular
// expression in mid-match included. Checking config against a plugin's schema
// runs the plugin author's regular expressions ("pattern",
// "patternProperties") on the host's own thread, outside any sandbox; one that
// backtracks catastrophically ("^(a+)+$" against thirty a's and a "!") held
// that thread for minutes to years, at install and again at every start.
import { createContext, Script, type Context } from 'node:vm';

export class DeadlineCall {
  private readonly script = new Script('fn(arg)');
  // One context per owner, made on first use: creating one costs ~5 ms, a run ~1 ms.
  private context: Context | undefined;

  /** `fn(arg)`'s result, or 'timeout' when it ran past `timeoutMs` (and was stopped there). */
  run<A, R>(fn: (arg: A) => R, arg: A, timeoutMs: number): { value: R } | 'timeout' {
    const context = (this.context ??= createContext(Object.create(null) as object));
    context.fn = fn;
    context.arg = arg;
    try {
      return { value: this.script.runInContext(context, { timeout: timeoutMs }) as R };
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
      throw err;
    } finally {
      context.fn = undefined;
      context.arg = undefined;
    }
  }
}
