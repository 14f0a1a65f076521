// plexus install <name>[@range] | <folder> | <file.tgz> [--registry url] [--grant cap]... [--config file.json]
import { resolve } from 'node:path';
import { looksLikePath } from '../plugins/package-spec.ts';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, AdminClient } from './admin-client.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { readConfigFile, reportChange, type PluginRecord } from './plugin-output.ts';
import { reportDone, withProgress } from './progress.ts';
import { shownUrl } from './shown-url.ts';

const OPTIONS = {
  ...ADMIN_OPTIONS,
  registry: { type: 'string' },
  grant: { type: 'string', multiple: true },
  config: { type: 'string' },
} as const;

export const installCommand: Command = {
  name: 'install',
  summary: 'install, upgrade or downgrade a plugin in a running host',
  help: `Usage: plexus install <name>[@range|@tag] | <folder> | <file.tgz> [options]

Installs a plugin into the running host, or replaces the installed version,
without a restart: new events go to the new version, events in flight finish
on the old one. From a registry, the highest version in range whose apiVersion
accepts this host is chosen and its tarball is checked against the registry's
integrity. Nothing in the package is ever run but the plugin itself.

A version that asks for capabilities not granted is installed but not
activated; the running version keeps serving until you grant them
(plexus configure <name> --grant ...).

On a terminal a spinner shows the time waited; with --json the summary
(what changed, how long it took) goes to stderr.

Options:
  --registry <url>     npm-compatible registry (default: https://registry.npmjs.org/)
  --grant <cap>        grant a capability; repeat for more: kv, emit:<pattern>,
                       http:<host[:port]>, secrets:<NAME> (default: the installed
                       version's grants, else none)
  --config <file>      the plugin's config, a JSON file (default: the installed
                       version's config, else {})

${ADMIN_OPTIONS_HELP}`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('install', argv, OPTIONS, 1);
    const [spec] = positionals;
    if (spec === undefined) throw usageError('install', 'missing what to install: <name>[@range], a folder or a .tgz');
    if (values.registry !== undefined && !/^https?:\/\/./.test(values.registry)) throw usageError('install', `--registry must be an http(s) URL, got "${shownUrl(values.registry)}"`);
    const body: Record<string, unknown> = { spec: hostSpec(spec, io.cwd) };
    if (values.grant !== undefined) body.grants = values.grant;
    if (values.config !== undefined) body.config = await readConfigFile('install', values.config, io);
    if (values.registry !== undefined) body.registry = values.registry;
    const client = await AdminClient.fromFlags(values, io, 'install');
    // Fetching, unpacking and the init check can take a while on a slow registry.
    const { value: record, elapsedMs } = await withProgress(io, `installing ${spec}`, () =>
      client.request<PluginRecord>('POST', '/v1/plugins', { body, untimed: true }));
    if (values.json) io.stdout(JSON.stringify(record));
    else reportChange(record, io);
    reportDone(io, values.json, installSummary(record), elapsedMs);
    return EXIT.ok;
  },
};

function installSummary(record: PluginRecord): string {
  if (record.change === 'pending' && record.pending) return `${record.name}@${record.pending.version} installed, NOT active (waits for ${record.pending.missingGrants.join(', ')})`;
  return `${record.change ?? 'updated'} ${record.name}@${record.version} (${record.status})`;
}

/** Local paths go to the host absolute: its working directory is not the operator's. */
function hostSpec(spec: string, cwd: string): string {
  if (!looksLikePath(spec)) return spec;
  const path = spec.startsWith('file:') ? spec.slice('file:'.length) : spec;
  return resolve(cwd, path.startsWith('~/') ? path.replace(/^~/, process.env.HOME ?? '~') : path);
}
