// The in-sandbox "@plexus/plugin-sdk" module is the SDK's own errors.ts and
// plugin-api.ts with their types stripped, so PermanentError, definePlugin,
// PlexusError and the error catalog are the same code inside and outside the
// sandbox, and every value the package's index.ts exports is there: a name
// the types offer but the sandbox lacked would type-check, build, and then
// fail every delivery at load. Both files import nothing but types.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { getCompileCacheDir, stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { writeFileAtomic } from '../durable-files.ts';
import { ownModule } from './own-module.ts';

const SOURCES = ['../errors', '../plugin-api'];

export async function loadSdkSource(): Promise<string> {
  const files = await Promise.all(SOURCES.map(async (path) => {
    const url = ownModule(path, import.meta.url);
    return { text: await readFile(url, 'utf8'), typed: url.pathname.endsWith('.ts') };
  }));
  // The installed SDK reads its compiled dist/*.js: tsc already removed the types there.
  if (!files.some((f) => f.typed)) return files.map((f) => f.text).join('\n');
  return strippedSource(files, getCompileCacheDir());
}

export interface SourceFile {
  text: string;
  /** TypeScript, whose types are stripped. */
  typed: boolean;
}

/**
 * The first strip in a process starts the TypeScript stripper (a WebAssembly
 * module): ~60 ms of CPU at every start of a sandbox process run from the
 * SDK's sources, as in this repository and its tests. Where Node's compile
 * cache is on (NODE_COMPILE_CACHE, which Node keeps its own stripped sources
 * in), the result is kept there too, named by the hash of what it was made
 * from, so a changed source is never served stale.
 */
export async function strippedSource(files: readonly SourceFile[], dir: string | undefined): Promise<string> {
  const strip = () => files.map((f) => (f.typed ? stripTypeScriptTypes(f.text, { mode: 'strip' }) : f.text)).join('\n');
  if (dir === undefined) return strip();
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.typed ? 'ts' : 'js'}\0${f.text.length}\0${f.text}`);
  hash.update(process.version);
  const folder = join(dir, 'plexus-sdk-source');
  const path = join(folder, `${hash.digest('hex')}.js`);
  const cached = await readFile(path, 'utf8').catch(() => undefined);
  if (cached !== undefined) return cached;
  const source = strip();
  // Whole or not at all (writeFileAtomic): sandboxes starting together never read half a file. A cache that cannot be written costs only the strip.
  await mkdir(folder, { recursive: true })
    .then(() => writeFileAtomic(path, source))
    .catch(() => undefined);
  return source;
}
