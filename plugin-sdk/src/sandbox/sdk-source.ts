// The in-sandbox "@plexus/plugin-sdk" module is the SDK's own plugin-api.ts
// with its types stripped, so PermanentError and definePlugin are the same
// code inside and outside the sandbox.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';

export async function loadSdkSource(): Promise<string> {
  const source = await readFile(new URL('../plugin-api.ts', import.meta.url), 'utf8');
  return stripTypeScriptTypes(source, { mode: 'strip' });
}
