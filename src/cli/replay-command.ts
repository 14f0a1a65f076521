// plexus replay --from <time> [--to <time>] [--type t]
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { count, reportDone, withProgress } from './progress.ts';
import { TIME_ARG_HELP, checkWindow, timeArgToRfc3339 } from './time-arg.ts';

const OPTIONS = { ...ADMIN_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, type: { type: 'string' } } as const;

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-deliver journaled events from a point in time',
  help: `Usage: plexus replay --from <time> [--to <time>] [--type <type or pattern>]

Re-delivers the events the host accepted in [from, to) to the plugins
subscribed now, and prints how many once every re-delivery is durable. Only
events still within the journal's retention window can be replayed. On a
terminal a spinner shows the time waited; with --json the count summary goes
to stderr.

Options:
  --from <time>        start (${TIME_ARG_HELP}); "1h" is one hour ago
  --to <time>          end, exclusive (default: now)
  --type <t>           only this type, or a topic pattern (orders.*.created, payments.#)

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values } = parseCommandArgs('replay', argv, OPTIONS, 0);
    if (values.from === undefined) throw usageError('replay', 'missing --from');
    const now = Date.now();
    const from = time('from', values.from, now);
    const body: Record<string, string> = { from };
    if (values.to !== undefined) {
      body.to = time('to', values.to, now);
      checkWindow('replay', from, body.to);
    }
    if (values.type !== undefined) body.type = values.type;
    const client = await AdminClient.fromFlags(values, io, 'replay');
    const { value: { replayed }, elapsedMs } = await withProgress(io, `replaying the journal from ${from}`, () =>
      client.request<{ replayed: number }>('POST', '/v1/replay', { body, untimed: true }));
    const summary = `replayed ${count(replayed, 'event', 'events')}`;
    io.stdout(values.json ? JSON.stringify({ replayed }) : summary);
    reportDone(io, values.json, summary, elapsedMs);
    return EXIT.ok;
  },
};

function time(flag: string, text: string, now: number): string {
  const value = timeArgToRfc3339(text, now);
  if (value === undefined) throw usageError('replay', `--${flag} must be ${TIME_ARG_HELP}; got "${text}"`);
  return value;
}
