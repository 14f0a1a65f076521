// The admin token: from config or PLEXUS_ADMIN_TOKEN when the operator set
// one; otherwise generated once into <stateDir>/admin-token (mode 0600, 32
// random bytes, base64url) and reused on every later start, so CLI commands
// on the same machine find it without configuration.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';
import type { HostLogger } from '../observability/host-logger.ts';

export const ADMIN_TOKEN_FILE = 'admin-token';
const OWNER_ONLY = 0o600;

export interface AdminToken {
  token: string;
  /** The token file, when the token lives in the state dir. */
  file?: string;
  /** Where the token came from, for the startup message. */
  origin: string;
}

export function adminTokenPath(stateDir: string): string {
  return join(stateDir, ADMIN_TOKEN_FILE);
}

export async function resolveAdminToken(options: { stateDir: string; configured?: string | undefined; origin?: string | undefined; logger: HostLogger }): Promise<AdminToken> {
  const { stateDir, configured, logger } = options;
  if (configured !== undefined) {
    const origin = options.origin ?? 'the config';
    logger.info({ origin }, 'admin token taken from configuration');
    await removeStaleTokenFile(adminTokenPath(stateDir), configured, logger);
    return { token: configured, origin };
  }
  const file = adminTokenPath(stateDir);
  const existing = await readTokenFile(file, logger);
  if (existing !== undefined) {
    logger.info({ tokenFile: file }, 'admin token read from the state dir');
    return { token: existing, file, origin: file };
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(stateDir, { recursive: true });
  // Written whole under a private name, then linked into place: link fails if the
  // file exists, so a host starting at the same moment never sees a half-written
  // token, and whichever linked first wins for both.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${token}\n`, { mode: OWNER_ONLY, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readTokenFile(file, logger);
    if (raced !== undefined) return { token: raced, file, origin: file };
  } finally {
    await unlink(temp);
  }
  logger.info({ tokenFile: file }, 'admin token generated into the state dir');
  return { token, file, origin: file };
}

/**
 * A token file an earlier start generated no longer opens the admin API once
 * a token is configured, yet CLI commands on this machine still read it by
 * default and got a bare 401. It is removed, so they say there is no token
 * file and how to pass the token; one that holds the configured token stays.
 */
async function removeStaleTokenFile(file: string, configured: string, logger: HostLogger): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (text.trim() === configured) return;
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  logger.info({ tokenFile: file }, 'removed the generated admin token file: the configured token replaces it');
}

async function readTokenFile(file: string, logger: HostLogger): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const token = text.trim();
  if (token === '') throw new PlexusError('PLEXUS_INVALID_CONFIG', `The admin token file ${file} is empty; delete it to have a new token generated`);
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
    // Readable by others means anyone on the machine can drive the admin API.
    await chmod(file, OWNER_ONLY);
    logger.warn({ tokenFile: file }, 'the admin token file was accessible to other users; its mode is now 0600');
  }
  return token;
}
