// Writes that survive a power cut, for the host (the plugin state file and
// the unpacked plugins it names) and the registry (packuments, tarballs).
// A file is flushed before anything points at it, and the folder after a
// file is created or renamed into it, so what a crash leaves is either the
// old state or the new one. One fsync per file and per folder: these writes
// are rare and small, and the syncs run off the event loop.
import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileSynced(path: string, data: string | Uint8Array, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  const file = await open(path, options.exclusive === true ? 'wx' : 'w', options.mode ?? 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Flushes a folder's entries (files created or renamed into it). */
export async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

const TEMP_SUFFIX = '.tmp';
/** What follows `<file>.` in writeFileAtomic's temp names: the writer's pid and a UUID. */
const TEMP_TAIL = /^\d+\.[0-9a-f-]{36}\.tmp$/;

/**
 * Replaces `path` whole, so readers never see it half written: a temp file
 * beside it (a unique name: two writers never share one), flushed, renamed
 * over it (atomic within one file system), then the folder flushed so the
 * rename is what a crash sees. A failure leaves at most the old file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}${TEMP_SUFFIX}`;
  try {
    await writeFileSynced(temp, data, { exclusive: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncFolder(dirname(path));
}

/**
 * Removes the temp files writeFileAtomic left beside `path` when its process
 * died before the rename. Only for a caller that knows no write of `path` is
 * running (a host at start, before anything writes its state file): another
 * writer's temp would go from under it.
 */
export async function removeAtomicTemps(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const entries = await readdir(dirname(path)).catch(() => [] as string[]);
  const temps = entries.filter((entry) => entry.startsWith(prefix) && TEMP_TAIL.test(entry.slice(prefix.length)));
  await Promise.all(temps.map((entry) => rm(join(dirname(path), entry), { force: true })));
}
