// What the plugin commands share: the admin API's plugin record, its path
// (a scoped name is one URL-encoded segment), reading a --config JSON file,
// and the lines that tell an operator what a change did, including a version
// held back for grants and capabilities the plugin runs without.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { JsonObject } from '@plexus/plugin-sdk';
import type { PluginView } from '../plugins/plugin-view.ts';
import { CliError, usageError, type CliIo } from './command.ts';

/**
 * The admin API's answer for one installed plugin: the host's view of it and,
 * after a change, what the request did. A type-only import, erased when the
 * CLI loads: a client command still loads nothing of the host.
 */
export type PluginRecord = PluginView & { change?: string };

export const pluginPath = (name: string) => `/v1/plugins/${encodeURIComponent(name)}`;

/** The config file an operator passes (--config, or configure's <file.json>): one JSON object. */
export async function readConfigFile(command: string, file: string, io: CliIo): Promise<JsonObject> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(command, `cannot read the config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error (`…, ..."apiKey": sk_live_Co"... is not valid JSON`): a config may hold keys.
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${path} must hold a JSON object (the plugin's config)`);
  return value as JsonObject;
}

/** One line for stdout; warnings (held back, running without grants) for stderr. */
export function reportChange(record: PluginRecord, io: CliIo): void {
  const id = `${record.name}@${record.version}`;
  if (record.change === 'pending' && record.pending) {
    io.stdout(`${record.name}@${record.pending.version} is installed but NOT active: it asks for ${record.pending.missingGrants.join(', ')}, not granted; ${id} keeps serving`);
    io.stderr(`plexus: to activate it: plexus configure ${record.name} ${record.pending.missingGrants.map((g) => `--grant ${g}`).join(' ')}`);
    return;
  }
  const verb = record.change === undefined || record.change === 'updated' ? 'updated' : record.change;
  io.stdout(`${verb} ${id} (${record.status})`);
  if (record.missingGrants.length > 0) io.stderr(`plexus: ${record.name} asks for ${record.missingGrants.join(', ')}, not granted: it runs without ${record.missingGrants.length === 1 ? 'it' : 'them'}`);
  if (record.pending) io.stderr(`plexus: ${record.name}@${record.pending.version} still waits for ${record.pending.missingGrants.join(', ')}`);
}
