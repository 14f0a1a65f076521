// Bearer-token auth for writes. npm sends `Authorization: Bearer <token>` from
// `//host:port/:_authToken=<token>` in an .npmrc. Tokens are compared as
// sha256 digests with timingSafeEqual against every configured token (no early
// exit), so response time reveals neither a token's prefix nor its length.
import { createHash, timingSafeEqual } from 'node:crypto';
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
 * digest prefix, so it is stable per token and never reveals the token.
 */
export function identityOf(token: string): string {
  return `token-${digest(token).toString('hex').slice(0, 12)}`;
}

export class TokenAuth {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
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
    return identityOf(token);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
