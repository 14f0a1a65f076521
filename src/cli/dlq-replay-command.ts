// plexus dlq replay <id> | --all | [filters]
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, type Command } from './command.ts';
import { FILTER_HELP, FILTER_OPTIONS } from './dlq-filter-args.ts';
import { dlqScope } from './dlq-scope.ts';
import { count, reportDone, withProgress } from './progress.ts';

const OPTIONS = { ...ADMIN_OPTIONS, ...FILTER_OPTIONS, all: { type: 'boolean' } } as const;

export const dlqReplayCommand: Command = {
  name: 'dlq replay',
  summary: 'send dead-letter entries back to delivery',
  help: `Usage: plexus dlq replay <id> | --all | [filters]

Moves dead-letter entries back to delivery (a fresh first attempt, same event,
same plugin) and prints how many. For a filter or --all, a spinner shows the
time waited on a terminal, and with --json the count summary goes to stderr.

${FILTER_HELP}
  --all                every entry (required when no filter or id is given)

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('dlq replay', argv, OPTIONS, 1);
    const scope = dlqScope('dlq replay', positionals[0], values, Date.now(), true);
    const client = await AdminClient.fromFlags(values, io, 'dlq replay');
    if (scope.kind === 'one') {
      const { replayed } = await client.request<{ replayed: number }>('POST', `/v1/dlq/${encodeURIComponent(scope.id)}/replay`);
      io.stdout(values.json ? JSON.stringify({ replayed }) : `replayed ${count(replayed, 'entry', 'entries')}`);
      return EXIT.ok;
    }
    // Untimed: a large bulk replay may outlast a client time limit, and giving up would not stop it.
    const body = scope.kind === 'all' ? { all: true } : scope.fields;
    const { value: { replayed }, elapsedMs } = await withProgress(io, 'replaying dead-letter entries', () =>
      client.request<{ replayed: number }>('POST', '/v1/dlq/replay', { body, untimed: true }));
    const summary = `replayed ${count(replayed, 'entry', 'entries')}`;
    io.stdout(values.json ? JSON.stringify({ replayed }) : summary);
    reportDone(io, values.json, summary, elapsedMs);
    return EXIT.ok;
  },
};
