// plexus dlq purge [filters] | --all
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, type Command } from './command.ts';
import { FILTER_HELP, FILTER_OPTIONS } from './dlq-filter-args.ts';
import { dlqScope } from './dlq-scope.ts';

const OPTIONS = { ...ADMIN_OPTIONS, ...FILTER_OPTIONS, all: { type: 'boolean' } } as const;

export const dlqPurgeCommand: Command = {
  name: 'dlq purge',
  summary: 'delete dead-letter entries',
  help: `Usage: plexus dlq purge [filters] | --all

Deletes the dead-letter entries that match the filters (or every entry with
--all) and prints how many. This cannot be undone.

${FILTER_HELP}
  --all                every entry (required when no filter is given)

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values } = parseCommandArgs('dlq purge', argv, OPTIONS, 0);
    const scope = dlqScope('dlq purge', undefined, values, Date.now(), false);
    const client = await AdminClient.fromFlags(values, io, 'dlq purge');
    const query = scope.kind === 'filter' ? scope.fields : { all: true };
    const { purged } = await client.request<{ purged: number }>('DELETE', '/v1/dlq', { query });
    io.stdout(values.json ? JSON.stringify({ purged }) : `purged ${purged} ${purged === 1 ? 'entry' : 'entries'}`);
    return EXIT.ok;
  },
};
