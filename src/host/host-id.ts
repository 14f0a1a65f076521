// This host's id (src/store/host-ids.ts), kept in the state dir so a
// restarted host is the same host: it runs again the deliveries it created
// at once, instead of waiting for its old lease to lapse as a stranger would.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import { isHostId, newHostId } from '../store/host-ids.ts';

export async function readOrCreateHostId(stateDir: string): Promise<string> {
  const path = join(stateDir, 'host-id');
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const id = newHostId();
    // 'wx': two hosts started on one fresh state dir at once still agree on one id.
    await writeFile(path, `${id}\n`, { flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    return readOrCreateHostId(stateDir);
  }
  if (!isHostId(text)) throw new PlexusError('PLEXUS_INVALID_CONFIG', `${path} does not hold a host id (8-32 lowercase hex digits): delete it to have a new one made`);
  return text;
}
