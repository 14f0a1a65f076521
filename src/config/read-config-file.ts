// Reads the config file: JSON when it is named *.json, YAML otherwise (YAML
// 1.2 is a superset of JSON, so a JSON file under another name still loads).
// Syntax errors come back as PLEXUS_INVALID_CONFIG with the line and column.
import { readFile } from 'node:fs/promises';
import { PlexusError } from '@plexus/plugin-sdk';
import { parse as parseYaml, YAMLParseError } from 'yaml';

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `Cannot read config file ${path}: ${(err as Error).message}`, { details: { file: path } });
  }
  return path.toLowerCase().endsWith('.json') ? parseJson(text, path) : parseYamlText(text, path);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 may quote the start of the text ("xsecret…" is not valid JSON): drop it, it may hold a secret.
    const reason = (err as Error).message.replace(/, ".*" is not valid JSON$/s, '');
    const position = /at position (\d+)/.exec(reason);
    const at = position ? lineAndColumn(text, Number(position[1])) : undefined;
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `Config file ${path} is not valid JSON${where}: ${reason.replace(/ in JSON at position \d+.*$/s, '')}`, { details: { file: path, ...at } });
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function parseYamlText(text: string, path: string): unknown {
  try {
    // Duplicate keys are an error (uniqueKeys): with "last one wins" a pasted
    // block could silently override a setting further up.
    return parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const at = err.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    // The first line only: the rest is a source excerpt, which may hold a secret.
    const reason = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'syntax error';
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `Config file ${path} is not valid YAML${where}: ${reason}`, { details: { file: path, ...(at ? { line: at.line, column: at.col } : {}) } });
  }
}
