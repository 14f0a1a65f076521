// What every plexus command is, its exit codes, and the errors the CLI turns
// into one line and an exit code instead of a stack trace.
import type { ParseArgsOptionsConfig } from 'node:util';
// Not from /runtime: that barrel loads the plugin loader, ajv's schemas and the sandbox, which a CLI command waits for on every run.
import { parseStrictArgs } from '@plexus/plugin-sdk/cli-args';
import type { EnvMap } from '../config/env-references.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command reads its environment and writes its output; the real process in production, a recorder in tests. */
export interface CliIo {
  env: EnvMap;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Raw stderr, present only when it is a terminal: the one place progress is drawn. */
  stderrTerminal?: ProgressTerminal | undefined;
}

export interface ProgressTerminal {
  write(text: string): unknown;
  readonly columns?: number | undefined;
}

export interface Command {
  readonly name: string;
  /** One line for `plexus --help`. */
  readonly summary: string;
  /** The full text for `plexus <name> --help`. */
  readonly help: string;
  /** Resolves to the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A failure the user can act on: printed as `plexus: <message>`, exit with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failure) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function usageError(command: string, problem: string): CliError {
  return new CliError(`${problem} (see plexus ${command} --help)`, EXIT.usage);
}

export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(command: string, argv: string[], options: O, maxPositionals: number) {
  return parseStrictArgs(argv, options, maxPositionals, (problem) => usageError(command, problem));
}
