// Bearer-token auth for writes. npm sends `Authorization: Bearer <token>` from
// `//host:port/:_authToken=<token>` in an .npmrc. Tokens are compared as
// sha256 digests with timingSafeEqual against every configured token (no early
// exit), so response time reveals neither a token's prefix nor its length.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlexusError } from '@plexus/plugin-sdk';

export const TOKENS_ENV = 'PLEXUS_REGISTRY_TOKENS';

/** `PLEXUS_REGISTRY_TOKENS=a,b` → ['a', 'b']; blanks dropped. */
export function tokensFromEnv(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
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
 * and read from there on every start, so identities survive restarts.
 */
export function identityKeyIn(storage: string): Buffer {
  const file = join(storage, IDENTITY_KEY_FILE);
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(storage, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another registry on this storage made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file);
    throw err;
  }
}

const IDENTITY_KEY_FILE = '.identity-key';

export class TokenAuth {
  readonly #digests: Buffer[];
  readonly #identityKey: Uint8Array;

  constructor(tokens: readonly string[], identityKey: Uint8Array) {
    this.#digests = tokens.map(digest);
    this.#identityKey = identityKey;
  }

  get tokenCount(): number {
    return this.#digests.length;
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

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
