// Reads what the registry needs from a package tarball without unpacking it
// to disk: `package/package.json`, the list of files (to check that a plugin's
// `plexus.main` is really inside) and the unpacked size.
import { PlexusError } from '@plexus/plugin-sdk';
import { Parser, type ReadEntry } from 'tar';
import { feedTarball } from './tarball-feed.ts';

export interface TarballContents {
  packageJson: Record<string, unknown>;
  /** Regular files, relative to the package root (`dist/plugin.js`). */
  files: ReadonlySet<string>;
  unpackedSize: number;
}

const ROOT = 'package/';
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/**
 * What a tarball may expand to. The 50 MB upload limit alone does not bound it:
 * gzip expands up to ~1000x, so a few MB of zeros declare a file of gigabytes.
 * The budget is checked against each entry's declared size, in its header,
 * before its body is inflated.
 */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
export const MAX_ENTRIES = 100_000;

export async function readTarball(bytes: Uint8Array): Promise<TarballContents> {
  const files = new Set<string>();
  let unpackedSize = 0;
  let entries = 0;
  let packageJson: Promise<string> | undefined;
  let failure: PlexusError | undefined;
  // strict: a truncated or corrupt archive is an error, not a warning to skip past.
  // A bare Parser waits for each entry to be consumed, so every entry not read is resumed (drained).
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const refuse = (why: string, code: 'PLEXUS_INVALID_REQUEST' | 'PLEXUS_PAYLOAD_TOO_LARGE' = 'PLEXUS_INVALID_REQUEST') => {
        entry.resume();
        failure ??= tarballError(why, code);
        // abort() stops the inflater at once, so the rest of a bomb is never expanded.
        parser.abort(failure);
      };
      entries += 1;
      unpackedSize += entry.size;
      if (entries > MAX_ENTRIES) return refuse(`it holds more than ${MAX_ENTRIES} entries`, 'PLEXUS_PAYLOAD_TOO_LARGE');
      if (unpackedSize > MAX_UNPACKED_BYTES) return refuse(`it unpacks to more than ${MAX_UNPACKED_BYTES} bytes`, 'PLEXUS_PAYLOAD_TOO_LARGE');
      // What is checked here must be exactly what an installer unpacks: everything under package/,
      // as npm packs it, each path in one plain spelling and once (an installer that tidies
      // "package//package.json" or "package/./x", or lets a later entry win, would otherwise
      // install a file the registry never saw), and only files and folders (the host refuses links).
      const shown = JSON.stringify(entry.path.slice(0, 200));
      const path = entry.path.replace(/^(\.\/)+/, '').replace(/\/$/, '');
      const problem = entryProblem(entry, path);
      if (problem !== undefined) return refuse(`entry ${shown} ${problem}`);
      if (entry.type === 'Directory') return entry.resume();
      const relative = path.slice(ROOT.length);
      if (files.has(relative)) return refuse(`${shown} appears more than once`);
      files.add(relative);
      if (relative !== 'package.json') return entry.resume();
      if (entry.size > MAX_PACKAGE_JSON_BYTES) return refuse(`package/package.json is larger than ${MAX_PACKAGE_JSON_BYTES} bytes`);
      packageJson = entry.concat().then((buf) => buf.toString('utf8'));
    },
  });
  // Entries the parser skips without handing them to onReadEntry (a type it does not know, a pax or GNU
  // long-name header over 1 MB) would escape every check above, their bodies inflated whole: refused too.
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    failure ??= tarballError(`entry ${JSON.stringify(entry.path.slice(0, 200))} is a ${entry.type}; a plugin package holds only files and folders`);
    parser.abort(failure);
  });
  // Fed in slices, and no further than the first refusal or the end-of-archive marker: a bomb is never inflated.
  try {
    await feedTarball(parser, bytes, () => failure !== undefined);
  } catch (err) {
    throw failure ?? tarballError((err as Error).message);
  }
  if (failure !== undefined) throw failure;
  if (packageJson === undefined) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'The tarball has no package/package.json');
  return { packageJson: parsePackageJson(await packageJson), files, unpackedSize };
}

function tarballError(why: string, code: 'PLEXUS_INVALID_REQUEST' | 'PLEXUS_PAYLOAD_TOO_LARGE' = 'PLEXUS_INVALID_REQUEST'): PlexusError {
  return new PlexusError(code, `The attachment is not a valid package tarball: ${why}`);
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Why an entry is refused, or undefined. `path`: its path without a leading "./" or a trailing "/". */
function entryProblem(entry: ReadEntry, path: string): string | undefined {
  if (!FILE_TYPES.has(entry.type) && entry.type !== 'Directory') return `is a ${entry.type}; a plugin package holds only files and folders`;
  if (path === 'package') return entry.type === 'Directory' ? undefined : 'is a file where the package/ folder must be';
  if (!path.startsWith(ROOT)) return 'is outside package/';
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return 'is not a plain path (empty, "." or ".." segments)';
  return undefined;
}

function parsePackageJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `package/package.json in the tarball is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'package/package.json in the tarball is not a JSON object');
  }
  return value as Record<string, unknown>;
}
