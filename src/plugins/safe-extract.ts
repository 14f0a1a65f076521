// Unpacks a plugin tarball without trusting it. Every entry is read and
// checked before anything touches the disk: only regular files and folders,
// only paths that stay inside the package's one top folder (no "..", no
// absolute paths, nothing beside it), no
// symlinks, hard links, devices or FIFOs, bounded size and count (declared
// sizes, from each header, before a body is inflated; the first problem stops
// the reading, so the rest of a gzip bomb is never expanded). Files are
// written with fixed modes (never setuid, never executable) and nothing in
// the package is ever run: no npm, no lifecycle scripts.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { PlexusError } from '@plexus/plugin-sdk';
import { syncFolder, writeFileSynced } from '@plexus/plugin-sdk/runtime';
import { feedTarball } from '@plexus/registry/tarball-feed';

export interface ExtractLimits {
  /** Sum of file sizes. */
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = Object.freeze({ maxBytes: 100 * 1024 * 1024, maxEntries: 10_000 });

export interface PackageFile {
  /** Relative to the package root, "/"-separated. */
  path: string;
  bytes: Buffer;
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Reads and checks every entry; PLEXUS_INVALID_MANIFEST naming the first offending one. */
export async function readPackageFiles(tarball: Uint8Array, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<PackageFile[]> {
  const files: Promise<PackageFile>[] = [];
  let problem: string | undefined;
  let entries = 0;
  let bytes = 0;
  let top: string | undefined;
  const seen = new Set<string>();
  // strict: a truncated or corrupt archive is an error, not a warning to skip past.
  const parser: Parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry): void => {
      entries += 1;
      bytes += entry.size;
      problem ??= entryProblem(entry, entries, bytes, limits);
      // One top folder, as npm packs it: entries beside it would merge into the package (a second package.json, say).
      const first = topFolder(entry.path);
      top ??= first;
      if (first !== top) problem ??= `unsafe package: entry ${JSON.stringify(entry.path)} is outside the package's top folder ${JSON.stringify(top)}`;
      const path = packagePath(entry.path);
      // A path twice (package/package.json, then package//package.json): tar lets the later one win, so a
      // registry that checked the first would vouch for a file that is not the one installed.
      if (entry.type !== 'Directory' && path !== '') {
        if (seen.has(path)) problem ??= `unsafe package: ${JSON.stringify(path)} appears more than once in the tarball`;
        seen.add(path);
      }
      if (problem !== undefined) {
        entry.resume();
        // Sizes are checked from each header before its body is inflated: abort() stops the inflater at once,
        // so the rest of a gzip bomb (a few MB declaring gigabytes) is never expanded in this process.
        return parser.abort(invalid(problem));
      }
      if (entry.type === 'Directory' || path === '') return entry.resume();
      files.push(entry.concat().then((data) => ({ path, bytes: data })));
    },
  });
  // Entries the parser skips without handing them to onReadEntry (a type it does not know, a pax or long-name
  // header over 1 MB) would escape every check above, their bodies inflated whole: they are refused too.
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    problem ??= `unsafe package: entry ${JSON.stringify(entry.path)} is a ${entry.type}; only files and folders are installed (no links or devices)`;
    parser.abort(invalid(problem));
  });
  // In slices, up to the first problem or the end-of-archive marker (what follows it is never unpacked): the registry's rule.
  try {
    await feedTarball(parser, tarball, () => problem !== undefined);
  } catch (err) {
    throw invalid(problem ?? `not a valid package tarball (${(err as Error).message})`);
  }
  problem ??= fileUnderFile(seen);
  if (problem !== undefined) throw invalid(problem);
  const read = await Promise.all(files);
  if (!read.some((f) => f.path === 'package.json')) throw invalid('the tarball has no package.json at its root');
  return read;
}

/** A file whose path is another file's folder (`dist` and `dist/plugin.js`) cannot be written: refused up front, not an EEXIST while writing. */
function fileUnderFile(paths: ReadonlySet<string>): string | undefined {
  for (const path of paths) {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      const folder = path.slice(0, slash);
      if (paths.has(folder)) return `invalid package: ${JSON.stringify(folder)} is a file, and ${JSON.stringify(path)} would need it to be a folder`;
    }
  }
  return undefined;
}

/** Writes checked files under `dest` (which must not exist yet or be empty), each flushed to disk with its folder. */
export async function writePackageFiles(files: readonly PackageFile[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true, mode: 0o755 });
  const folders = new Set([dest]);
  const targets = files.map((file) => join(dest, ...file.path.split('/')));
  for (const target of targets) {
    for (let folder = dirname(target); folder.startsWith(`${dest}/`); folder = dirname(folder)) folders.add(folder);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  }
  // All at once: each file's fsync waits on the disk, and the file system can commit them together.
  // readPackageFiles refuses a path that appears twice.
  await Promise.all(files.map((file, i) => writeFileSynced(targets[i] as string, file.bytes, { exclusive: true })));
  await Promise.all([...folders].map((folder) => syncFolder(folder)));
}

export async function extractPackage(tarball: Uint8Array, dest: string, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<void> {
  await writePackageFiles(await readPackageFiles(tarball, limits), dest);
}

function entryProblem(entry: ReadEntry, count: number, total: number, limits: ExtractLimits): string | undefined {
  const shown = JSON.stringify(entry.path);
  if (!ALLOWED_TYPES.has(entry.type)) return `unsafe package: entry ${shown} is a ${entry.type}; only files and folders are installed (no links or devices)`;
  if (!isSafeEntryPath(entry.path)) return `unsafe package: entry ${shown} would be written outside the package folder`;
  if (entry.type !== 'Directory' && packagePath(entry.path) === '') return `unsafe package: entry ${shown} is outside the package folder`;
  if (count > limits.maxEntries) return `the package has more than ${limits.maxEntries} entries`;
  if (total > limits.maxBytes) return `the package unpacks to more than ${limits.maxBytes} bytes`;
  return undefined;
}

/** Relative, "/"-separated, no "..", no NUL, no backslash, no drive letter. */
export function isSafeEntryPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '..');
}

/** npm puts everything under one top folder (`package/`); like npm, strip it whatever its name. */
function packagePath(path: string): string {
  return segmentsOf(path).slice(1).join('/');
}

function topFolder(path: string): string {
  return segmentsOf(path)[0] ?? '';
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

function invalid(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_MANIFEST', message);
}
