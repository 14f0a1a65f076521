// The plexus program (bin/plexus.js imports this; `npm start` runs that): runs
// the CLI on the real process. Everything testable lives in run-cli.ts.
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  // Progress is drawn only for a person watching; a pipe or a log file gets none.
  stderrTerminal: process.stderr.isTTY ? process.stderr : undefined,
});
