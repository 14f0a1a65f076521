// plexus dlq replay <id> | --all | [filters]
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, type Command } from './command.ts';
import { FILTER_HELP, FILTER_OPTIONS } from './dlq-filter-args.ts';
import { dlqScope } from './dlq-scope.ts';

const OPTIONS = { ...ADMIN_OPTIONS, ...FILTER_OPTIONS, all: { type: 'boolean' } } as const;

export const dlqReplayCommand: Command = {
  name: 'dlq replay',
  summary: 'send dead-letter entries back to delivery',
  help: `Usage: plexus dlq replay <id> | --all | [filters]

Moves dead-letter entries back to delivery (a fresh first attempt, same event,
same plugin) and prints how many.

${FILTER_HELP}
  --all                every entry (required when no filter or id is given)

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('dlq replay', argv, OPTIONS, 1);
    const scope = dlqScope('dlq replay', positionals[0], values, Date.now(), true);
    const client = await AdminClient.fromFlags(values, io, 'dlq replay');
    const { replayed } = scope.kind === 'one'
      ? await client.request<{ replayed: number }>('POST', `/v1/dlq/${encodeURIComponent(scope.id)}/replay`)
      : await client.request<{ replayed: number }>('POST', '/v1/dlq/replay', { body: scope.kind === 'all' ? { all: true } : scope.fields });
    io.stdout(values.json ? JSON.stringify({ replayed }) : `replayed ${replayed} ${replayed === 1 ? 'entry' : 'entries'}`);
    return EXIT.ok;
  },
};
