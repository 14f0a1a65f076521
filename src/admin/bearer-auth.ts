// The admin API's one credential: `Authorization: Bearer <token>`. Both sides
// are hashed to 32 bytes before timingSafeEqual, so the comparison takes the
// same time whatever the presented token's length or common prefix.
import { createHash, timingSafeEqual } from 'node:crypto';
import { PlexusError } from '@plexus/plugin-sdk';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export class BearerAuth {
  readonly #digest: Buffer;

  constructor(token: string) {
    if (token === '') throw new TypeError('the admin token must not be empty');
    this.#digest = digest(token);
  }

  /** Throws PLEXUS_UNAUTHORIZED (401) unless the header carries the token. */
  check(header: string | undefined): void {
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (presented === undefined) throw new PlexusError('PLEXUS_UNAUTHORIZED', 'This route needs "Authorization: Bearer <admin token>"');
    if (!timingSafeEqual(digest(presented), this.#digest)) throw new PlexusError('PLEXUS_UNAUTHORIZED', 'The admin token is not valid');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
