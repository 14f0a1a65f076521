// The registry's operator-facing defaults without the server: what the host's
// `plexus registry` prints in its help, loaded without fastify.
export { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE } from './options.ts';
export { TOKENS_ENV, tokensFromEnv } from './auth.ts';
