// Parsed packuments kept between requests for the readers of every package
// (search, the catalog, the user lookup: PackageStore.readAll). Without it,
// each of those requests read and JSON-parsed every stored packument.
//
// An entry is reused only while the file's stat still matches the one taken
// before it was read, so changes by other processes sharing the storage folder
// (a second registry, an operator restoring a backup) are seen by the next
// request. The stamp is inode + size + mtime and ctime in nanoseconds: an
// atomic replace (ours, or `mv`) gives a new inode; an in-place rewrite changes
// mtime; a restore that sets mtime back (`cp -p`, `rsync -t`) still changes
// ctime, which nobody can set. This process's own writes also call forget(), so
// they are seen even where coarse timestamps and a reused inode could collide.
//
// Memory: one parsed document per package, kept while idle. readAll built the
// same objects on every request, so a request's peak is unchanged; what is new
// is holding them between requests: about the total size of the
// packument.json files (measured ~1.2x: 2,000 plugin packuments of 5 versions,
// 6.7 MB on disk, 7.9 MB of heap), plus a short stamp string per package.
// Tarballs are never held here.
import { stat } from 'node:fs/promises';
import { deepFreeze } from '@plexus/plugin-sdk/runtime';
import { isNotFound } from './fs-not-found.ts';
import type { Packument } from './packument.ts';

/** Reads a file as UTF-8; injectable so tests can count what is read. */
export type ReadText = (path: string) => Promise<string>;
/** What identifies a file's version (undefined: no file); injectable so tests can make two versions look alike. */
export type Stamp = (path: string) => Promise<string | undefined>;

interface Entry {
  stamp: string;
  doc: Packument;
}

export class PackumentCache {
  readonly #read: ReadText;
  readonly #stamp: Stamp;
  readonly #entries = new Map<string, Entry>();
  /**
   * Bumped by every forget(). A read that began before a write may finish after
   * it with the old content; it must not be stored then (it would be served
   * until the file changes again). Global, not per package: such a read is only
   * not kept, and read again by the next request.
   */
  #writes = 0;

  constructor(read: ReadText, stamp: Stamp = statStamp) {
    this.#read = read;
    this.#stamp = stamp;
  }

  /**
   * The packument at `path`, kept under `key`; undefined if there is no file.
   * The document is deeply frozen: it is shared by every later request, and a
   * caller changing it would change their answers (in strict mode, which ES
   * modules are, a write to it throws instead).
   */
  async get(key: string, path: string): Promise<Packument | undefined> {
    const writes = this.#writes;
    // Stat before reading: if the file is replaced in between, the entry holds
    // newer content under the older stamp, and the next request reads it again.
    // The other order could keep old content under the new stamp for good.
    const stamp = await this.#stamp(path);
    if (stamp === undefined) {
      this.#entries.delete(key);
      return undefined;
    }
    const cached = this.#entries.get(key);
    if (cached?.stamp === stamp) return cached.doc;
    let text: string;
    try {
      text = await this.#read(path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const doc = deepFreeze(JSON.parse(text) as Packument);
    if (this.#writes === writes) this.#entries.set(key, { stamp, doc });
    return doc;
  }

  /** After this process writes `key`'s packument (also if the write failed midway: it may have landed). */
  forget(key: string): void {
    this.#writes++;
    this.#entries.delete(key);
  }

  /** Drops the entries of packages no longer listed (folders removed by another process). */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!keys.has(key)) this.#entries.delete(key);
  }
}

async function statStamp(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
