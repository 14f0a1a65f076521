// plexus emit <type> [json]: publish one event through the admin API.
import { text } from 'node:stream/consumers';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const OPTIONS = {
  ...ADMIN_OPTIONS,
  source: { type: 'string' },
  id: { type: 'string' },
  priority: { type: 'string' },
  'partition-key': { type: 'string' },
} as const;

export const emitCommand: Command = {
  name: 'emit',
  summary: 'publish an event to a running host',
  help: `Usage: plexus emit <type> [json] [options]

Publishes one event. [json] is its data (a JSON value; "-" reads it from stdin).
Prints the event id once the host has stored it durably.

Options:
  --source <source>        event source (default: admin)
  --id <id>                event id (default: a new UUID)
  --priority <0-9>         delivery priority (default 4; 9 is served first)
  --partition-key <key>    events with the same key reach a plugin one at a time, in order

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('emit', argv, OPTIONS, 2);
    const [type, json] = positionals;
    if (type === undefined) throw usageError('emit', 'missing the event <type>');
    const body: Record<string, unknown> = { type };
    if (json !== undefined) body.data = parseData(json === '-' ? await text(process.stdin) : json);
    if (values.source !== undefined) body.source = values.source;
    if (values.id !== undefined) body.id = values.id;
    if (values.priority !== undefined) body.priority = parsePriority(values.priority);
    if (values['partition-key'] !== undefined) body.partitionkey = values['partition-key'];

    const client = await AdminClient.fromFlags(values, io, 'emit');
    const { id } = await client.request<{ id: string }>('POST', '/v1/events', { body });
    io.stdout(values.json ? JSON.stringify({ id }) : `accepted ${id}`);
    return EXIT.ok;
  },
};

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError('emit', `[json] is not valid JSON: ${(err as Error).message.replace(/, ".*" is not valid JSON$/s, '')}`);
  }
}

function parsePriority(text: string): number {
  if (!/^\d$/.test(text)) throw usageError('emit', `--priority must be an integer 0-9, got "${text}"`);
  return Number(text);
}
