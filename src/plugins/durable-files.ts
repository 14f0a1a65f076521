// Writes that survive a power cut. The plugin state file names version
// folders; once it is written, the files it points at and the rename that
// put them there must already be on disk, or a host restarting after the
// cut finds empty plugin files (or no state) behind a state file that
// promised them. One fsync per file and per folder: installs are rare and
// small, and the syncs run off the event loop.
import { open } from 'node:fs/promises';

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
