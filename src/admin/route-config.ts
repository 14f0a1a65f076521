// Per-route settings the admin app's hooks read (fastify route `config`).
import type { PlexusErrorCode } from '@plexus/plugin-sdk';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the bearer token (health probes). */
    unauthenticated?: boolean;
    /** The code a request failing its schema is refused with; default PLEXUS_INVALID_REQUEST. */
    invalidRequestCode?: PlexusErrorCode;
  }
}
