// What every plexus-plugin command is, and the one error type the CLI prints
// without a stack: a problem the user can fix (bad arguments, a failed build).
import type { ParseArgsOptionsConfig } from 'node:util';
import { parseStrictArgs } from './strict-args.ts';

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

export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(command: string, argv: string[], options: O, maxPositionals: number) {
  return parseStrictArgs(argv, options, maxPositionals, (problem) => usageError(command, problem));
}
