// What every plexus-plugin command is, and the one error type the CLI prints
// without a stack: a problem the user can fix (bad arguments, a failed build).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export interface Command {
  readonly name: string;
  /** One line for `plexus-plugin --help`. */
  readonly summary: string;
  /** The full text for `plexus-plugin <name> --help`. */
  readonly help: string;
  /** Resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

const usageError = (command: string, problem: string): CliError => new CliError(`${problem} (see plexus-plugin ${command} --help)`);

/**
 * parseArgs with the settings every command wants: strict (an unknown flag is
 * an error, not silently ignored) and at most `maxPositionals` positionals.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(command: string, argv: string[], options: O, maxPositionals: number) {
  const parsed = (() => {
    try {
      return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (err) {
      throw usageError(command, (err as Error).message);
    }
  })();
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw usageError(command, `unexpected argument "${extra}"`);
  return parsed;
}
