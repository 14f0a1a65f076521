// enable and disable: the same PATCH with `enabled` flipped.
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type CliIo } from './command.ts';
import { pluginPath, reportChange, type PluginRecord } from './plugin-output.ts';

export function toggleHelp(command: 'enable' | 'disable'): string {
  const what = command === 'enable'
    ? `Activates an installed plugin again (its init runs first; if it fails, the
plugin stays disabled and you get the error). Deliveries that waited while it
was disabled are delivered.`
    : `Stops delivering to the plugin without uninstalling it: events in flight
finish, then its instances run cleanup. Deliveries already accepted for it stay
stored and are delivered once it is enabled again; events accepted while it is
disabled are not routed to it.`;
  return `Usage: plexus ${command} <name> [options]

${what}

${ADMIN_OPTIONS_HELP}`;
}

export async function togglePlugin(command: 'enable' | 'disable', argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(command, argv, ADMIN_OPTIONS, 1);
  const [name] = positionals;
  if (name === undefined) throw usageError(command, 'missing the plugin <name>');
  const client = await AdminClient.fromFlags(values, io, command);
  const record = await client.request<PluginRecord>('PATCH', pluginPath(name), { body: { enabled: command === 'enable' }, untimed: true });
  if (values.json) io.stdout(JSON.stringify(record));
  else if (record.change === 'unchanged') io.stdout(`${record.name}@${record.version} was already ${command}d`);
  else reportChange({ ...record, change: `${command}d` }, io);
  return EXIT.ok;
}
