// The in-sandbox "@plexus/plugin-sdk" module is the SDK's own errors.ts and
// plugin-api.ts with their types stripped, so PermanentError, definePlugin,
// PlexusError and the error catalog are the same code inside and outside the
// sandbox, and every value the package's index.ts exports is there: a name
// the types offer but the sandbox lacked would type-check, build, and then
// fail every delivery at load. Both files import nothing but types.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';

const SOURCES = ['../errors.ts', '../plugin-api.ts'];

export async function loadSdkSource(): Promise<string> {
  const parts = await Promise.all(SOURCES.map(async (file) => stripTypeScriptTypes(await readFile(new URL(file, import.meta.url), 'utf8'), { mode: 'strip' })));
  return parts.join('\n');
}
