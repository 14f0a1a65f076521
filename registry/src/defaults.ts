// The registry's operator-facing defaults without the server: what the host's
// `plexus registry` prints in its help, loaded without fastify.
export { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE } from './options.ts';
export { ADMIN_TOKENS_ENV, TOKENS_ENV, tokensFromEnv, writeAccessSummary } from './auth.ts';
