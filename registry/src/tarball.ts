// Reads what the registry needs from a package tarball without unpacking it
// to disk: `package/package.json`, the list of files (to check that a plugin's
// `plexus.main` is really inside) and the unpacked size.
import { PlexusError } from '@plexus/plugin-sdk';
import { Parser, type ReadEntry } from 'tar';

export interface TarballContents {
  packageJson: Record<string, unknown>;
  /** Regular files, relative to the package root (`dist/plugin.js`). */
  files: ReadonlySet<string>;
  unpackedSize: number;
}

const ROOT = 'package/';
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

export async function readTarball(bytes: Uint8Array): Promise<TarballContents> {
  const files = new Set<string>();
  let unpackedSize = 0;
  let packageJson: Promise<string> | undefined;
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new PlexusError('PLEXUS_INVALID_REQUEST', `The attachment is not a valid package tarball: ${why}`));
    // strict: a truncated or corrupt archive is an error, not a warning to skip past.
    // A bare Parser waits for each entry to be consumed, so every entry not read is resumed (drained).
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        // What is checked here must be exactly what an installer unpacks: everything under package/,
        // as npm packs it, each path in one plain spelling and once (an installer that tidies
        // "package//package.json" or "package/./x", or lets a later entry win, would otherwise
        // install a file the registry never saw), and only files and folders (the host refuses links).
        const shown = JSON.stringify(entry.path.slice(0, 200));
        const path = entry.path.replace(/^(\.\/)+/, '').replace(/\/$/, '');
        const problem = entryProblem(entry, path);
        if (problem !== undefined) {
          entry.resume();
          return fail(`entry ${shown} ${problem}`);
        }
        if (entry.type === 'Directory') return entry.resume();
        const relative = path.slice(ROOT.length);
        if (files.has(relative)) {
          entry.resume();
          return fail(`${shown} appears more than once`);
        }
        files.add(relative);
        unpackedSize += entry.size;
        if (relative !== 'package.json') return entry.resume();
        if (entry.size > MAX_PACKAGE_JSON_BYTES) {
          entry.resume();
          return fail(`package/package.json is larger than ${MAX_PACKAGE_JSON_BYTES} bytes`);
        }
        packageJson = entry.concat().then((buf) => buf.toString('utf8'));
      },
    });
    parser.on('error', (err: Error) => fail(err.message));
    parser.on('end', () => resolve());
    parser.end(Buffer.from(bytes));
  });
  if (packageJson === undefined) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'The tarball has no package/package.json');
  return { packageJson: parsePackageJson(await packageJson), files, unpackedSize };
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
