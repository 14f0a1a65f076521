// plexus dlq list|show|replay|purge: the dead-letter queue of a running host.
import { EXIT, usageError, type Command } from './command.ts';
import { dlqListCommand } from './dlq-list-command.ts';
import { dlqPurgeCommand } from './dlq-purge-command.ts';
import { dlqReplayCommand } from './dlq-replay-command.ts';
import { dlqShowCommand } from './dlq-show-command.ts';

const SUBCOMMANDS: readonly Command[] = [dlqListCommand, dlqShowCommand, dlqReplayCommand, dlqPurgeCommand];

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'list, show, replay or purge dead-letter entries',
  help: `Usage: plexus dlq <list|show|replay|purge> [options]

${SUBCOMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}

Run "plexus dlq <subcommand> --help" for its options.`,

  async run(argv, io) {
    const [name, ...rest] = argv;
    if (name === '--help' || name === '-h') {
      io.stdout(this.help);
      return EXIT.ok;
    }
    const sub = SUBCOMMANDS.find((c) => c.name === `dlq ${name}`);
    if (sub === undefined) {
      const missing = name === undefined || name.startsWith('-');
      throw usageError('dlq', missing ? 'missing the subcommand (list, show, replay or purge)' : `unknown subcommand "${name}"`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(sub.help);
      return EXIT.ok;
    }
    return sub.run(rest, io);
  },
};
