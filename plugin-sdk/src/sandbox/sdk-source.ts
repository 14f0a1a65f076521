// The in-sandbox "@plexus/plugin-sdk" module is the SDK's own errors.ts and
// plugin-api.ts with their types stripped, so PermanentError, definePlugin,
// PlexusError and the error catalog are the same code inside and outside the
// sandbox, and every value the package's index.ts exports is there: a name
// the types offer but the sandbox lacked would type-check, build, and then
// fail every delivery at load. Both files import nothing but types.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { ownModule } from './own-module.ts';

const SOURCES = ['../errors', '../plugin-api'];

export async function loadSdkSource(): Promise<string> {
  const parts = await Promise.all(SOURCES.map(async (path) => {
    const url = ownModule(path, import.meta.url);
    const text = await readFile(url, 'utf8');
    // The installed SDK reads its compiled dist/*.js: tsc already removed the types there.
    return url.pathname.endsWith('.ts') ? stripTypeScriptTypes(text, { mode: 'strip' }) : text;
  }));
  return parts.join('\n');
}
