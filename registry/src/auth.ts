// Bearer-token auth for writes. npm sends `Authorization: Bearer <token>` from
// `//host:port/:_authToken=<token>` in an .npmrc. Tokens are compared as
// sha256 digests with timingSafeEqual against every configured token (no early
// exit), so response time reveals neither a token's prefix nor its length.
// Admin tokens (PLEXUS_REGISTRY_ADMIN_TOKENS) are write tokens too, compared in
// the same loop; whether an authenticated identity is an admin is asked after.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';

export const TOKENS_ENV = 'PLEXUS_REGISTRY_TOKENS';
/** Operators' tokens: they may write every package, so one can recover a package whose maintainers' tokens are gone. */
export const ADMIN_TOKENS_ENV = 'PLEXUS_REGISTRY_ADMIN_TOKENS';

/** `PLEXUS_REGISTRY_TOKENS=a,b` → ['a', 'b']; blanks dropped. Admin tokens are parsed the same way. */
export function tokensFromEnv(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
}

/** How many distinct write tokens there are and how many are admin: a token in both lists is one admin token. */
export function countWriteTokens(tokens: readonly string[], adminTokens: readonly string[]): { tokenCount: number; adminTokenCount: number } {
  return { tokenCount: new Set([...tokens, ...adminTokens]).size, adminTokenCount: new Set(adminTokens).size };
}

/** What the start lines of `plexus registry start` and plexus-registry say about writing. */
export function writeAccessSummary(tokenCount: number, adminTokenCount: number): string {
  if (tokenCount === 0) return `read-only (set ${TOKENS_ENV} to allow publishing)`;
  // Said only when there are some: the line without admins is the one scripts already match.
  return adminTokenCount === 0 ? `${tokenCount} write token(s)` : `${tokenCount} write token(s), ${adminTokenCount} of them admin`;
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The name a token acts under (`npm whoami`, `_npmUser`, maintainers): a
 * prefix of an HMAC keyed with the registry's own secret, so it is stable
 * per token and registry. Everyone can read these names; a plain digest of
 * the token would let anyone test guesses of a weak token offline.
 */
export function identityOf(token: string, key: Uint8Array): string {
  return `token-${createHmac('sha256', key).update(token, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * The registry's identity key, made once in its storage folder (mode 0600)
 * and read from there on every start, so identities survive restarts. It is
 * written whole under a temp name and then put in place, so neither a crash
 * nor a registry starting beside this one can leave or read a partial key: a
 * short key (an empty one is what a crash mid-write used to leave) would make
 * identities as guessable as plain digests. Such a key is replaced.
 */
export function identityKeyIn(storage: string): Buffer {
  const file = join(storage, IDENTITY_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing !== undefined && existing.length >= IDENTITY_KEY_BYTES) return existing;
  mkdirSync(storage, { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temp, randomBytes(IDENTITY_KEY_BYTES), { mode: 0o600, flag: 'wx', flush: true });
    if (existing === undefined) linkUnlessPresent(temp, file);
    else renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  syncFolderNow(storage);
  // Whoever put their key in place first, everyone uses the one on disk.
  return readFileSync(file);
}

const IDENTITY_KEY_BYTES = 32;
const IDENTITY_KEY_FILE = '.identity-key';

export class TokenAuth {
  readonly #digests: Buffer[];
  readonly #identityKey: Uint8Array;
  /** The names the configured tokens (admin ones included) act under: the only users `npm owner add` may name. */
  readonly #identities: ReadonlySet<string>;
  readonly #adminIdentities: ReadonlySet<string>;
  readonly #counts: { tokenCount: number; adminTokenCount: number };

  /** `adminTokens` may write too; a token in both lists is simply an admin. */
  constructor(tokens: readonly string[], identityKey: Uint8Array, adminTokens: readonly string[] = []) {
    const all = [...new Set([...tokens, ...adminTokens])];
    this.#digests = all.map(digest);
    this.#identityKey = identityKey;
    this.#identities = new Set(all.map((token) => identityOf(token, identityKey)));
    this.#adminIdentities = new Set(adminTokens.map((token) => identityOf(token, identityKey)));
    this.#counts = countWriteTokens(tokens, adminTokens);
  }

  /** Whether `name` is the identity of a configured token (the registry's notion of a user). */
  isIdentity(name: string): boolean {
    return this.#identities.has(name);
  }

  /**
   * Whether `identity` is an admin token's, which may write every package as its maintainers may.
   * Ask only about an identity authenticate() returned: identities are public (maintainer lists).
   */
  isAdmin(identity: string): boolean {
    return this.#adminIdentities.has(identity);
  }

  get tokenCount(): number {
    return this.#counts.tokenCount;
  }

  get adminTokenCount(): number {
    return this.#counts.adminTokenCount;
  }

  /** The identity behind an Authorization header, or PLEXUS_UNAUTHORIZED (401). */
  authenticate(header: string | undefined): string {
    if (this.#digests.length === 0) {
      throw new PlexusError('PLEXUS_UNAUTHORIZED', `This registry has no write tokens configured (set ${TOKENS_ENV}); it is read-only`);
    }
    const token = bearerToken(header);
    if (token === undefined) {
      throw new PlexusError(
        'PLEXUS_UNAUTHORIZED',
        'Authentication required: send "Authorization: Bearer <token>" (in an .npmrc: //<registry host>/:_authToken=<token>)',
      );
    }
    const presented = digest(token);
    let matched = false;
    for (const known of this.#digests) matched = timingSafeEqual(presented, known) || matched;
    if (!matched) throw new PlexusError('PLEXUS_UNAUTHORIZED', 'The token is not valid for this registry');
    return identityOf(token, this.#identityKey);
  }
}

function readKeyFile(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** link() fails if the name exists: another registry on this storage made its key first, and that one stays. */
function linkUnlessPresent(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The key is made before the server listens, so a synchronous flush of the folder entry is fine here. */
function syncFolderNow(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
