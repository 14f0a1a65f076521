// plexus dlq list [filters] [--limit n] [--offset n]
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { FILTER_HELP, FILTER_OPTIONS, filterFields } from './dlq-filter-args.ts';
import { renderTable } from './table.ts';

/** A DLQ entry as the admin API answers it. */
export interface DlqEntryView {
  id: string;
  plugin: string;
  event: { id: string; type: string; source: string; [attribute: string]: unknown };
  reason: string;
  attempts: number;
  error?: { code?: string; message: string };
  acceptedAt: string;
  deadAt: string;
}

interface DlqPage {
  entries: DlqEntryView[];
  total: number;
  limit: number;
  offset: number;
}

const OPTIONS = { ...ADMIN_OPTIONS, ...FILTER_OPTIONS, limit: { type: 'string' }, offset: { type: 'string' } } as const;
/** The admin API's largest page (GET /v1/dlq). */
const MAX_LIMIT = 1000;

export const dlqListCommand: Command = {
  name: 'dlq list',
  summary: 'list dead-letter entries',
  help: `Usage: plexus dlq list [filters] [--limit n] [--offset n]

Lists the dead-letter entries that match the filters, and how many match in all.

${FILTER_HELP}
  --limit <n>          at most n entries (1-1000, default 50)
  --offset <n>         skip the first n

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values } = parseCommandArgs('dlq list', argv, OPTIONS, 0);
    const query = { ...filterFields('dlq list', values, Date.now()), limit: count('limit', values.limit, 1, MAX_LIMIT), offset: count('offset', values.offset, 0, Number.MAX_SAFE_INTEGER) };
    const client = await AdminClient.fromFlags(values, io, 'dlq list');
    const page = await client.request<DlqPage>('GET', '/v1/dlq', { query });
    if (values.json) {
      io.stdout(JSON.stringify(page));
      return EXIT.ok;
    }
    if (page.entries.length === 0) {
      io.stdout(page.total === 0 ? 'no dead-letter entries match' : `no entries at offset ${page.offset} (${page.total} match)`);
      return EXIT.ok;
    }
    const rows = page.entries.map((e) => [e.id, e.plugin, e.event.type, e.reason, String(e.attempts), e.deadAt, e.error ? `${e.error.code ?? ''} ${e.error.message}`.trim() : '']);
    io.stdout(renderTable(['ID', 'PLUGIN', 'TYPE', 'REASON', 'ATTEMPTS', 'DEAD AT', 'ERROR'], rows));
    io.stdout(`${page.offset + 1}-${page.offset + page.entries.length} of ${page.total}`);
    return EXIT.ok;
  },
};

/** Checked here, as the host would: out of range is a usage error (exit 2), not a failure from the host. */
function count(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError('dlq list', `--${flag} must be a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw usageError('dlq list', `--${flag} must be from ${min} to ${max}, got ${text}`);
  return n;
}
