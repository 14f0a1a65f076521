// plexus dlq purge [filters] | --all
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, type Command } from './command.ts';
import { FILTER_HELP, FILTER_OPTIONS } from './dlq-filter-args.ts';
import { dlqScope } from './dlq-scope.ts';
import { count, reportDone, withProgress } from './progress.ts';

const OPTIONS = { ...ADMIN_OPTIONS, ...FILTER_OPTIONS, all: { type: 'boolean' } } as const;

export const dlqPurgeCommand: Command = {
  name: 'dlq purge',
  summary: 'delete dead-letter entries',
  help: `Usage: plexus dlq purge [filters] | --all

Deletes the dead-letter entries that match the filters (or every entry with
--all) and prints how many. This cannot be undone. On a terminal a spinner
shows the time waited; with --json the count summary goes to stderr.

${FILTER_HELP}
  --all                every entry (required when no filter is given)

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values } = parseCommandArgs('dlq purge', argv, OPTIONS, 0);
    const scope = dlqScope('dlq purge', undefined, values, Date.now(), false);
    const client = await AdminClient.fromFlags(values, io, 'dlq purge');
    const query = scope.kind === 'filter' ? scope.fields : { all: true };
    // Untimed: a large purge may outlast a client time limit, and giving up would not stop it.
    const { value: { purged }, elapsedMs } = await withProgress(io, 'purging dead-letter entries', () =>
      client.request<{ purged: number }>('DELETE', '/v1/dlq', { query, untimed: true }));
    const summary = `purged ${count(purged, 'entry', 'entries')}`;
    io.stdout(values.json ? JSON.stringify({ purged }) : summary);
    reportDone(io, values.json, summary, elapsedMs);
    return EXIT.ok;
  },
};
