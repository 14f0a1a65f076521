// The plexus CLI as a function: picks the command, handles --help, and turns
// every failure into one line on stderr (`plexus: PLEXUS_UNAUTHORIZED: …`) and
// an exit code: 0 ok, 1 failure, 2 usage error, 3 cannot reach the host.
// main.ts runs it on the real process; tests call it with a recording CliIo.
import { CliError, EXIT, type CliIo, type Command } from './command.ts';
import { configureCommand } from './configure-command.ts';
import { disableCommand } from './disable-command.ts';
import { dlqCommand } from './dlq-command.ts';
import { emitCommand } from './emit-command.ts';
import { enableCommand } from './enable-command.ts';
import { installCommand } from './install-command.ts';
import { pluginsCommand } from './plugins-command.ts';
import { registryCommand } from './registry-command.ts';
import { replayCommand } from './replay-command.ts';
import { startCommand } from './start-command.ts';
import { uninstallCommand } from './uninstall-command.ts';

const COMMANDS: readonly Command[] = [
  startCommand, emitCommand, dlqCommand, replayCommand,
  installCommand, uninstallCommand, pluginsCommand, enableCommand, disableCommand, configureCommand, registryCommand,
];

const USAGE = `Usage: plexus <command> [options]

Run the Plexus host, or talk to a running one.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

Run "plexus <command> --help" for a command's options.
Exit codes: 0 ok, 1 failure, 2 usage error, 3 cannot reach the host.`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  // `plexus help <command>` is `plexus <command> --help`.
  const [name, args] = first === 'help' ? [rest[0], ['--help']] : [first, rest];
  if (name === undefined || name === '--help' || name === '-h') {
    // Asked for help: stdout and success; no command at all: a usage error.
    if (first === undefined) {
      io.stderr(USAGE);
      return EXIT.usage;
    }
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command "${name}" (see plexus --help)`, EXIT.usage);
  // `dlq` has subcommands with their own help; it handles --help itself.
  if (command !== dlqCommand && (args.includes('--help') || args.includes('-h'))) {
    io.stdout(command.help);
    return EXIT.ok;
  }
  return command.run(args, io);
}

/** PlexusErrors (an invalid config...) lead with their code so scripts and people can search for it. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('PLEXUS_') ? `${code}: ${err.message}` : err.message;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await main(argv, io);
  } catch (err) {
    io.stderr(`plexus: ${describeError(err)}`);
    return err instanceof CliError ? err.exitCode : EXIT.failure;
  }
}
