// plexus enable <name>: deliver to a disabled plugin again.
import type { Command } from './command.ts';
import { toggleHelp, togglePlugin } from './plugin-toggle.ts';

export const enableCommand: Command = {
  name: 'enable',
  summary: 'activate a disabled plugin',
  help: toggleHelp('enable'),
  run: (argv, io) => togglePlugin('enable', argv, io),
};
