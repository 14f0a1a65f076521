// This host's id (src/store/host-ids.ts), kept in the state dir so a
// restarted host is the same host: it runs again the deliveries it created
// itself, instead of leaving them for other hosts to adopt. One live process
// per id: on a shared Redis store a second process with the same id (a
// copied state dir) is refused, and a restart after a crash first waits out
// the dead process's lease (src/store/redis-lease.ts).
//
// The id is written whole and flushed under a temp name, then put in place,
// and the folder flushed: created empty and then written, a kill or power cut
// between the two left an empty file, which every later start refused until
// an operator deleted it. An empty file (what that left) is replaced.
import { randomUUID } from 'node:crypto';
import { link, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import { syncFolder, writeFileAtomic, writeFileSynced } from '@plexus/plugin-sdk/runtime';
import { isHostId, newHostId } from '../store/host-ids.ts';

export async function readOrCreateHostId(stateDir: string): Promise<string> {
  const path = join(stateDir, 'host-id');
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await linkNewId(stateDir, path);
    return readOrCreateHostId(stateDir);
  }
  if (text === '') {
    await writeFileAtomic(path, `${newHostId()}\n`);
    return readOrCreateHostId(stateDir);
  }
  if (!isHostId(text)) throw new PlexusError('PLEXUS_INVALID_CONFIG', `${path} does not hold a host id (8-32 lowercase hex digits): delete it to have a new one made`);
  return text;
}

/**
 * A new id at `path`, linked into place: link() fails if the name exists, so
 * two hosts started on one fresh state dir at once agree on the first one's id
 * (writeFileAtomic's rename would let the second replace it).
 */
async function linkNewId(stateDir: string, path: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFileSynced(temp, `${newHostId()}\n`, { exclusive: true });
    await link(temp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(temp, { force: true });
  }
  await syncFolder(stateDir);
}
