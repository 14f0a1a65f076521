// plexus dlq show <id>
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import type { DlqEntryView } from './dlq-list-command.ts';
import { renderFields } from './table.ts';

export const dlqShowCommand: Command = {
  name: 'dlq show',
  summary: 'show one dead-letter entry with its event',
  help: `Usage: plexus dlq show <id>

Shows one dead-letter entry: plugin, reason, attempts, last error, times and the event.

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('dlq show', argv, ADMIN_OPTIONS, 1);
    const [id] = positionals;
    if (id === undefined) throw usageError('dlq show', 'missing the entry <id>');
    const client = await AdminClient.fromFlags(values, io, 'dlq show');
    const entry = await client.request<DlqEntryView>('GET', `/v1/dlq/${encodeURIComponent(id)}`);
    if (values.json) {
      io.stdout(JSON.stringify(entry));
      return EXIT.ok;
    }
    io.stdout(renderFields([
      ['id', entry.id],
      ['plugin', entry.plugin],
      ['reason', entry.reason],
      ['attempts', String(entry.attempts)],
      ['error', entry.error ? `${entry.error.code ? `${entry.error.code}: ` : ''}${entry.error.message}` : '-'],
      ['accepted at', entry.acceptedAt],
      ['dead at', entry.deadAt],
      ['event', `${entry.event.type} ${entry.event.id} from ${entry.event.source}`],
    ]));
    io.stdout(JSON.stringify(entry.event, null, 2));
    return EXIT.ok;
  },
};
