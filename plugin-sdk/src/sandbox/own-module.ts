// The SDK runs from its .ts sources in the Plexus checkout, and from the
// compiled dist/*.js when installed from its tarball (Node does not strip
// types under node_modules; see scripts/pack.ts). The files it loads by URL
// at runtime (the sandbox process's entry, the workers' entry, the sources of
// the in-sandbox SDK) are its own modules, so they have the extension of the
// module that asks for them.
import { extname } from 'node:path';

/** `path` without extension, relative to `from` (the caller's import.meta.url). */
export function ownModule(path: string, from: string): URL {
  return new URL(`${path}${extname(new URL(from).pathname)}`, from);
}
