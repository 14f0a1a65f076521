// plexus plugins: the installed plugins, as plugins.json and the running host see them.
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, type Command } from './command.ts';
import type { PluginRecord } from './plugin-output.ts';
import { renderTable } from './table.ts';

export const pluginsCommand: Command = {
  name: 'plugins',
  summary: 'list installed plugins',
  help: `Usage: plexus plugins [options]

Lists the installed plugins: version, status (active, disabled, failed,
inactive), grants, what a plugin asks for that is not granted, and a version
waiting for grants. --json prints the admin API's full answer (GET /v1/plugins),
including subscriptions, effective capabilities and limits of what runs.

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values } = parseCommandArgs('plugins', argv, ADMIN_OPTIONS, 0);
    const client = await AdminClient.fromFlags(values, io, 'plugins');
    const body = await client.request<{ installed?: PluginRecord[] }>('GET', '/v1/plugins');
    const installed = body.installed ?? [];
    if (values.json) {
      io.stdout(JSON.stringify(body));
      return EXIT.ok;
    }
    if (installed.length === 0) {
      io.stdout('no plugins installed');
      return EXIT.ok;
    }
    const rows = installed.map((p) => [
      p.name,
      p.version,
      p.error ? `${p.status} (${p.error.code})` : p.status,
      p.grants.join(' ') || '-',
      p.missingGrants.join(' ') || '-',
      p.pending ? `${p.pending.version} needs ${p.pending.missingGrants.join(' ')}` : '-',
    ]);
    io.stdout(renderTable(['NAME', 'VERSION', 'STATUS', 'GRANTS', 'NOT GRANTED', 'PENDING'], rows));
    return EXIT.ok;
  },
};
