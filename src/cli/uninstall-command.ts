// plexus uninstall <name>: remove a plugin from the running host and its state.
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { pluginPath } from './plugin-output.ts';

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'remove a plugin from a running host',
  help: `Usage: plexus uninstall <name> [options]

Stops routing events to the plugin, lets its in-flight events finish, runs its
cleanup, and removes it from plugins.json and the state dir. Deliveries it had
not finished stay stored and resume if it is installed again.

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('uninstall', argv, ADMIN_OPTIONS, 1);
    const [name] = positionals;
    if (name === undefined) throw usageError('uninstall', 'missing the plugin <name>');
    const client = await AdminClient.fromFlags(values, io, 'uninstall');
    // Untimed like every plugin change: the host runs them one at a time, so this one may wait behind a slow install.
    const removed = await client.request<{ name: string; version: string }>('DELETE', pluginPath(name), { untimed: true });
    io.stdout(values.json ? JSON.stringify(removed) : `uninstalled ${removed.name}@${removed.version}`);
    return EXIT.ok;
  },
};
