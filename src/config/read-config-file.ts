// Reads the config file: JSON when it is named *.json, YAML otherwise (YAML
// 1.2 is a superset of JSON, so a JSON file under another name still loads).
// Syntax errors come back as PLEXUS_INVALID_CONFIG with the line and column.
import { readFile } from 'node:fs/promises';
import { PlexusError } from '@plexus/plugin-sdk';
import { LineCounter, parseDocument, visit, type Alias, type Document, type YAMLError } from 'yaml';

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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 may quote part of the text (`"xsecret…" is not valid JSON`, or `…"key": 'sk_live_a"…` for a long
    // one): drop it, it may hold a secret.
    const reason = (err as Error).message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
    const position = /at position (\d+)/.exec(reason);
    const at = position ? lineAndColumn(text, Number(position[1])) : undefined;
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `Config file ${path} is not valid JSON${where}: ${reason.replace(/ in JSON at position \d+.*$/s, '')}`, { details: { file: path, ...at } });
  }
  // JSON.parse keeps the last of two equal keys; as in YAML files, a pasted block must not
  // silently override a setting further up. (YAML 1.2 reads any JSON text, so its parser finds them.)
  const duplicate = parseDocument(text, { uniqueKeys: true, prettyErrors: true }).errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (duplicate) throw syntaxError(duplicate, path, 'JSON');
  return value;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function parseYamlText(text: string, path: string): unknown {
  // Duplicate keys are an error (uniqueKeys): with "last one wins" a pasted
  // block could silently override a setting further up. Warnings are errors
  // too: an unknown tag (`!vault`) would otherwise be ignored, and yaml's
  // own parse() prints each warning with the source line, which may hold a secret.
  // resolveKnownTags off: YAML 1.1's !!set, !!omap, !!binary and !!timestamp
  // would load as a Set, Map, bytes or Date, which the schema sees as an
  // empty object or refuses without saying why; unresolved, they are refused here.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, resolveKnownTags: false, lineCounter });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw syntaxError(problem, path, 'YAML');
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to no anchor, or an alias bomb (yaml throws ReferenceError). yaml's message ends with
    // the alias's name, which for a token written unquoted (`adminToken: *Xk9…`) is the token: the
    // position says where instead.
    const alias = unresolvedAlias(doc);
    const at = alias?.range ? lineCounter.linePos(alias.range[0]) : undefined;
    const reason = alias ? 'Unresolved alias (*name with no &name before it); quote text that starts with *' : ((err as Error).message.split('\n')[0] ?? 'invalid aliases');
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    throw new PlexusError('PLEXUS_INVALID_CONFIG', `Config file ${path} is not valid YAML${where}: ${reason}`, { details: { file: path, ...(at ? { line: at.line, column: at.col } : {}) } });
  }
}

function unresolvedAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      if (node.resolve(doc) !== undefined) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function syntaxError(err: YAMLError, path: string, language: 'JSON' | 'YAML'): PlexusError {
  const at = err.linePos?.[0];
  const where = at ? ` at line ${at.line}, column ${at.col}` : '';
  // The first line only: the rest is a source excerpt, which may hold a secret. An unknown
  // tag is not named either: a token written unquoted (`adminToken: !Xk9…`) reads as one.
  const reason = err.code === 'TAG_RESOLVE_FAILED'
    ? 'Unresolved tag (!name); quote text that starts with !'
    : (err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'syntax error');
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Config file ${path} is not valid ${language}${where}: ${reason}`, { details: { file: path, ...(at ? { line: at.line, column: at.col } : {}) } });
}
