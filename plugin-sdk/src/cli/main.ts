// Entry point of the plexus-plugin CLI (bin/plexus-plugin.js imports this):
// picks the command, handles --help, and turns every failure into one line
// `plexus-plugin: <CODE: message>` and exit code 1.
import { buildCommand } from './build-command.ts';
import { CliError, type Command } from './command.ts';
import { newCommand } from './new-command.ts';
import { testCommand } from './test-command.ts';

const COMMANDS: readonly Command[] = [newCommand, buildCommand, testCommand];

const USAGE = `Usage: plexus-plugin <command> [options]

Write, build and test Plexus plugins.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(7)} ${c.summary}`).join('\n')}

Run "plexus-plugin <command> --help" for a command's options.`;

/** --help before any "--": what follows "--" belongs to another program (node --test). */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  // `plexus-plugin help <command>` is `plexus-plugin <command> --help`.
  const [name, args] = first === 'help' ? [rest[0], ['--help']] : [first, rest];
  if (name === undefined || name === '--help' || name === '-h') {
    // Asked for help: stdout and success; no command at all: a usage error.
    if (first === undefined) {
      console.error(USAGE);
      return 1;
    }
    console.log(USAGE);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command "${name}" (see plexus-plugin --help)`);
  if (wantsHelp(args)) {
    console.log(command.help);
    return 0;
  }
  return command.run(args);
}

/** PlexusErrors (a bad manifest...) lead with their code so scripts and people can search for it. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('PLEXUS_') ? `${code}: ${err.message}` : err.message;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`plexus-plugin: ${describe(err)}`);
  process.exitCode = 1;
}
