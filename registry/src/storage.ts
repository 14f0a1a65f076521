// On-disk layout, one folder per package under the storage root:
//   <root>/<name>/packument.json and <root>/<name>/<name>-<version>.tgz
// with a scoped name's "/" escaped as "%2f" (`@acme%2fplugin`), which keeps
// every package one directory deep and can never collide: names cannot contain "%".
// A tarball whose file name would be too long is stored under a digest of it.
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder, writeFileAtomic } from '@plexus/plugin-sdk/runtime';
import { isNotFound } from './fs-not-found.ts';
import { assertPackageName, isValidPackageName } from './package-name.ts';
import type { Packument } from './packument.ts';
import { PackumentCache, type ReadText, type Stamp } from './packument-cache.ts';

const PACKUMENT_FILE = 'packument.json';
/** Longest tarball file name kept as is (see diskFileName). */
const MAX_PLAIN_FILE_NAME = 200;
/** Packuments readAll reads at once. */
const READ_CONCURRENCY = 16;

export function folderName(name: string): string {
  return assertPackageName(name).replace('/', '%2f');
}

export function nameFromFolder(folder: string): string | undefined {
  const name = folder.replace('%2f', '/');
  return isValidPackageName(name) ? name : undefined;
}

export interface PackageStoreOptions {
  /** How packument files are read; tests pass one that counts. */
  readText?: ReadText;
  /** What tells a packument file's versions apart; tests pass one that cannot. */
  stamp?: Stamp;
}

export class PackageStore {
  readonly root: string;
  readonly #readText: ReadText;
  /** Only readAll's: a single package's reads (and the writes built on them) always go to the file. */
  readonly #cache: PackumentCache;

  constructor(root: string, options: PackageStoreOptions = {}) {
    this.root = root;
    this.#readText = options.readText ?? ((path) => readFile(path, 'utf8'));
    this.#cache = new PackumentCache(this.#readText, options.stamp);
  }

  async readPackument(name: string): Promise<Packument | undefined> {
    try {
      return JSON.parse(await this.#readText(join(this.#dir(name), PACKUMENT_FILE))) as Packument;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async writePackument(doc: Packument): Promise<void> {
    await this.#packageFolder(doc.name);
    try {
      await writeFileAtomic(join(this.#dir(doc.name), PACKUMENT_FILE), `${JSON.stringify(doc, null, 2)}\n`);
    } finally {
      this.#cache.forget(doc.name);
    }
  }

  async writeTarball(name: string, file: string, bytes: Uint8Array): Promise<void> {
    await this.#packageFolder(name);
    await writeFileAtomic(this.#file(name, file), bytes);
  }

  /**
   * The package's folder, made if missing. A new one's entry in the storage
   * folder is flushed too: the files written into it are, but without this a
   * power cut after a 201 could lose the whole folder.
   */
  async #packageFolder(name: string): Promise<void> {
    if ((await mkdir(this.#dir(name), { recursive: true })) !== undefined) await syncFolder(this.root);
  }

  /** The tarball as a stream plus its size, or undefined if the file is not there. */
  async openTarball(name: string, file: string): Promise<{ stream: ReadStream; size: number } | undefined> {
    const path = this.#file(name, file);
    try {
      const { size } = await stat(path);
      return { stream: createReadStream(path), size };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listPackageNames(): Promise<string[]> {
    let folders: string[];
    try {
      folders = await readdir(this.root);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return folders.map(nameFromFolder).filter((name): name is string => name !== undefined).sort();
  }

  /**
   * Every stored packument; folders without one (a publish that failed before its first write) are skipped.
   * Read a few at a time: all at once would hold one file descriptor per package (per search request)
   * and, past the process's fd limit, fail this request and every other one that needs a descriptor.
   * Documents are kept between calls and re-read only when their file changed (packument-cache.ts);
   * they are frozen and shared with later callers, so read them, never change them.
   */
  async readAll(): Promise<readonly Packument[]> {
    const names = await this.listPackageNames();
    this.#cache.keepOnly(new Set(names));
    const docs: (Packument | undefined)[] = [];
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < names.length) {
        const index = next++;
        const name = names[index]!;
        docs[index] = await this.#cache.get(name, join(this.#dir(name), PACKUMENT_FILE));
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, reader));
    return docs.filter((doc): doc is Packument => doc !== undefined);
  }

  #dir(name: string): string {
    return join(this.root, folderName(name));
  }

  #file(name: string, file: string): string {
    // Callers derive `file` from a validated name and version; refusing separators keeps that true.
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`unsafe tarball file name: ${file}`);
    return join(this.#dir(name), diskFileName(file));
  }
}

/**
 * A tarball's file name on disk. npm allows 214-character names and semver
 * 256-character versions, but file systems stop at 255 bytes and the atomic
 * write's temp file adds ~50 to the name, so long ones are stored under a
 * digest of the name. Valid names and versions are ASCII, and a digest name
 * (hex, no "-") never equals a plain `<name>-<version>.tgz`.
 */
function diskFileName(file: string): string {
  return file.length <= MAX_PLAIN_FILE_NAME ? file : `${createHash('sha256').update(file).digest('hex')}.tgz`;
}
