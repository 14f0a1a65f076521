// On-disk layout, one folder per package under the storage root:
//   <root>/<name>/packument.json and <root>/<name>/<name>-<version>.tgz
// with a scoped name's "/" escaped as "%2f" (`@acme%2fplugin`), which keeps
// every package one directory deep and can never collide: names cannot contain "%".
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@plexus/plugin-sdk/runtime';
import { assertPackageName, isValidPackageName } from './package-name.ts';
import type { Packument } from './packument.ts';

const PACKUMENT_FILE = 'packument.json';

export function folderName(name: string): string {
  return assertPackageName(name).replace('/', '%2f');
}

export function nameFromFolder(folder: string): string | undefined {
  const name = folder.replace('%2f', '/');
  return isValidPackageName(name) ? name : undefined;
}

export class PackageStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async readPackument(name: string): Promise<Packument | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#dir(name), PACKUMENT_FILE), 'utf8')) as Packument;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async writePackument(doc: Packument): Promise<void> {
    await mkdir(this.#dir(doc.name), { recursive: true });
    await writeFileAtomic(join(this.#dir(doc.name), PACKUMENT_FILE), `${JSON.stringify(doc, null, 2)}\n`);
  }

  async writeTarball(name: string, file: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.#dir(name), { recursive: true });
    await writeFileAtomic(this.#file(name, file), bytes);
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

  /** Every stored packument; folders without one (a publish that failed before its first write) are skipped. */
  async readAll(): Promise<Packument[]> {
    const docs = await Promise.all((await this.listPackageNames()).map((name) => this.readPackument(name)));
    return docs.filter((doc): doc is Packument => doc !== undefined);
  }

  #dir(name: string): string {
    return join(this.root, folderName(name));
  }

  #file(name: string, file: string): string {
    // Callers derive `file` from a validated name and version; refusing separators keeps that true.
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`unsafe tarball file name: ${file}`);
    return join(this.#dir(name), file);
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT';
}
