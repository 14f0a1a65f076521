// plexus configure <name> [<file.json>] [--grant cap]... [--revoke cap]...
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { pluginPath, readConfigFile, reportChange, type PluginRecord } from './plugin-output.ts';

const OPTIONS = { ...ADMIN_OPTIONS, grant: { type: 'string', multiple: true }, revoke: { type: 'string', multiple: true } } as const;

export const configureCommand: Command = {
  name: 'configure',
  summary: "change a plugin's config or grants",
  help: `Usage: plexus configure <name> [<file.json>] [--grant <cap>]... [--revoke <cap>]... [options]

Replaces the plugin's config with the JSON object in <file.json> and/or adds
(--grant) and removes (--revoke) capabilities, without a restart. The change is
checked against the plugin's config schema and its init runs with it first; if
either fails, the plugin keeps running as it was and you get the error.

A version installed but held back for grants is activated once its grants
are given here.

Options:
  --grant <cap>     add a grant: kv, emit:<pattern>, http:<host[:port]>, secrets:<NAME>
  --revoke <cap>    remove a grant

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('configure', argv, OPTIONS, 2);
    const [name, file] = positionals;
    if (name === undefined) throw usageError('configure', 'missing the plugin <name>');
    if (file === undefined && values.grant === undefined && values.revoke === undefined) throw usageError('configure', 'nothing to change: give a <file.json>, --grant or --revoke');
    const body: Record<string, unknown> = {};
    if (file !== undefined) body.config = await readConfigFile('configure', file, io);
    const client = await AdminClient.fromFlags(values, io, 'configure');
    // Added and removed on the host, against the grants it has then: a list computed here from a
    // GET could undo another operator's change made in between.
    if (values.grant !== undefined) body.grant = values.grant;
    if (values.revoke !== undefined) body.revoke = values.revoke;
    const record = await client.request<PluginRecord>('PATCH', pluginPath(name), { body, untimed: true });
    if (values.json) io.stdout(JSON.stringify(record));
    else if (record.change === 'unchanged') io.stdout(`${record.name}@${record.version}: nothing changed`);
    else reportChange(record, io);
    return EXIT.ok;
  },
};
