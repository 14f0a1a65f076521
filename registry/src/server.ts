// buildRegistry: one fastify instance with its own store, locks and tokens.
// Nothing is module-level, so tests and the host can run several side by side.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import { TokenAuth, identityKeyIn } from './auth.ts';
import type { RegistryContext } from './context.ts';
import { errorBodyFor, noRouteError, toPlexusError } from './errors.ts';
import { closeIdleConnectionsWhileClosing } from './graceful-close.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { cutOffSlowRequests } from './request-deadline.ts';
import { DEFAULT_MAX_TARBALL_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, normalizePublicUrl, type RegistryOptions } from './options.ts';
import { registerDistTagRoutes } from './routes/dist-tags.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { registerPackageRoutes } from './routes/packages.ts';
import { PackageStore } from './storage.ts';

/**
 * Bodies of every route but publish: requests nobody routes are read and
 * parsed before the 404 answers them, so an anonymous client must not get
 * to send a publish-sized body (~67 MB) to any path.
 */
const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** npm allows names of 214 characters; a scoped one may arrive as @scope%2fname. */
const MAX_PARAM_LENGTH = 256;

export function buildRegistry(options: RegistryOptions): FastifyInstance {
  const maxTarballBytes = options.maxTarballBytes ?? DEFAULT_MAX_TARBALL_BYTES;
  const ctx: RegistryContext = {
    store: new PackageStore(options.storage),
    locks: new KeyedMutex(),
    auth: new TokenAuth(options.tokens ?? [], identityKeyIn(options.storage), options.adminTokens ?? []),
    publicUrl: options.publicUrl === undefined ? undefined : normalizePublicUrl(options.publicUrl),
    maxTarballBytes,
    now: options.now ?? (() => new Date()),
  };
  const logger = options.logger;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app: FastifyInstance = Fastify({
    bodyLimit: DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a bad %-encoding) come before the error handler: give them our error shapes too.
    frameworkErrors: (err, request, reply) => {
      void (reply as unknown as FastifyReply).status(400).send(errorBodyFor(request.url, new PlexusError('PLEXUS_INVALID_REQUEST', `Invalid request: ${err.message}`)));
    },
    ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ?? false }),
  });

  app.setErrorHandler((err, request, reply) => {
    const error = toPlexusError(err);
    if (error.code === 'PLEXUS_INTERNAL') request.log.error({ err }, 'registry request failed');
    // No WWW-Authenticate on 401: with it, the npm CLI replaces our message with a generic "npm login" hint.
    return reply.status(error.status).send(errorBodyFor(request.url, error));
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send(errorBodyFor(request.url, noRouteError(request)));
  });

  closeIdleConnectionsWhileClosing(app);
  cutOffSlowRequests(app.server, requestTimeout);
  registerMetaRoutes(app, ctx);
  registerDistTagRoutes(app, ctx);
  registerPackageRoutes(app, ctx);
  return app;
}
