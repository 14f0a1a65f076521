// plexus disable <name>: stop delivering to a plugin, keep it installed.
import type { Command } from './command.ts';
import { toggleHelp, togglePlugin } from './plugin-toggle.ts';

export const disableCommand: Command = {
  name: 'disable',
  summary: 'stop delivering to a plugin without uninstalling it',
  help: toggleHelp('disable'),
  run: (argv, io) => togglePlugin('disable', argv, io),
};
