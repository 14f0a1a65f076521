// parseArgs with the settings every command of both CLIs (plexus-plugin and
// the host's plexus) wants: strict (an unknown flag is an error, not silently
// ignored) and at most `maxPositionals` positionals. Each CLI says how a
// usage problem becomes its own error.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export function parseStrictArgs<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, maxPositionals: number, usage: (problem: string) => Error) {
  const parsed = (() => {
    try {
      return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (err) {
      throw usage((err as Error).message);
    }
  })();
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw usage(`unexpected argument "${extra}"`);
  return parsed;
}
