// startRegistry: the API `plexus registry start` and the plexus-registry bin
// call. Fills in defaults (port 4873, 127.0.0.1, ./.plexus/registry, tokens
// from PLEXUS_REGISTRY_TOKENS and PLEXUS_REGISTRY_ADMIN_TOKENS), creates the
// storage dir and listens.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKENS_ENV, TOKENS_ENV, countWriteTokens, tokensFromEnv } from './auth.ts';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE, assertPort, normalizePublicUrl, type StartOptions } from './options.ts';
import { buildRegistry } from './server.ts';

export interface RunningRegistry {
  /** Base URL clients use (the publicUrl if configured), without a trailing slash. */
  url: string;
  port: number;
  storage: string;
  /** Distinct write tokens, admin ones included. */
  tokenCount: number;
  adminTokenCount: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startRegistry(options: StartOptions = {}): Promise<RunningRegistry> {
  const storage = resolve(options.storage ?? DEFAULT_STORAGE);
  const tokens = options.tokens ?? tokensFromEnv(process.env[TOKENS_ENV]);
  const adminTokens = options.adminTokens ?? tokensFromEnv(process.env[ADMIN_TOKENS_ENV]);
  await mkdir(storage, { recursive: true });
  const app = buildRegistry({ ...options, storage, tokens, adminTokens });
  const listening = await app.listen({ port: assertPort(options.port ?? DEFAULT_PORT), host: options.host ?? DEFAULT_HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : Number(new URL(listening).port);
  return {
    url: options.publicUrl === undefined ? listening : normalizePublicUrl(options.publicUrl),
    port,
    storage,
    ...countWriteTokens(tokens, adminTokens),
    app,
    close: () => app.close(),
  };
}
