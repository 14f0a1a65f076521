// The admin API (CONTRACT §7) as a fastify instance, without listening:
// startAdminServer listens, tests use `app.inject`. Every route but the health
// probes needs the bearer token; every error answers {"error": {code, message}};
// GET /openapi.json describes every route from its own schemas.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import { assertJsonDepth } from '@plexus/plugin-sdk/runtime';
import type { HostLogger } from '../observability/host-logger.ts';
import type { AdminContext } from './admin-context.ts';
import type { AdminHost } from './admin-host.ts';
import { BearerAuth } from './bearer-auth.ts';
import { errorBody, toPlexusError } from './error-replies.ts';
import { answerExpectContinue } from './expect-continue.ts';
import { hostReadiness } from './host-readiness.ts';
import { registerOpenApi, registerOpenApiRoute } from './openapi.ts';
import type { Readiness } from './readiness.ts';
import { createRequestAjv } from './request-formats.ts';
import './route-config.ts';
import { registerDlqRoutes } from './routes/dlq.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { registerPluginRoutes } from './routes/plugins.ts';
import { registerReplayRoutes } from './routes/replay.ts';

export interface AdminAppOptions {
  host: AdminHost;
  token: string;
  logger: HostLogger;
  /** Default: the host's store and sandbox checks. */
  readiness?: Readiness;
  now?: () => number;
  /** Largest request body; default 1 MiB. */
  bodyLimit?: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const MAX_PARAM_LENGTH = 256;

export function buildAdminApp(options: AdminAppOptions): FastifyInstance {
  const { host, logger } = options;
  const context: AdminContext = { host, logger, readiness: options.readiness ?? hostReadiness(host), now: options.now ?? Date.now };
  const auth = new BearerAuth(options.token);
  // Fastify's own logger is off: requests are logged below through the host's logger, without headers.
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    logger: false,
    bodyLimit,
    // npm allows package names of 214 characters, and a scoped one travels as @scope%2fname:
    // with fastify's default of 100, a long-named plugin could be installed but never read, changed or removed.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a bad %-encoding, a parameter over the limit) come before any hook:
    // without this they would skip the bearer check (telling routes from unknown paths to anyone)
    // and answer in fastify's body shape instead of CONTRACT §7's.
    frameworkErrors: (err, request, reply) => {
      let error: PlexusError;
      try {
        auth.check(request.headers.authorization);
        error = new PlexusError('PLEXUS_INVALID_REQUEST', `Invalid request: ${err.message}`);
      } catch (refused) {
        error = toPlexusError(refused);
        void reply.header('www-authenticate', 'Bearer realm="plexus-admin"');
      }
      // The reply's generic types know no routes yet: any status, any body.
      void (reply as unknown as FastifyReply).status(error.status).send(errorBody(error));
    },
  });
  // JSON only: fastify's built-in text/plain parser would turn a mislabelled body into a confusing schema error.
  app.removeContentTypeParser('text/plain');
  // fastify's own JSON parser (prototype poisoning refused), with nesting
  // bounded first: a 10,000-level body parses, then overflows the stack in
  // the store's JSON.stringify (a 500 for the caller, and a failed group
  // commit for every accept that shared it).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(body as string);
    } catch (err) {
      done(new PlexusError('PLEXUS_INVALID_REQUEST', `Invalid request: ${(err as Error).message}`), undefined);
      return;
    }
    json(request, body as string, (err, value) => done(err === null ? null : explained(err, body as string), value));
  });
  const textAjv = createRequestAjv({ coerce: true });
  const bodyAjv = createRequestAjv({ coerce: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.unauthenticated !== true) auth.check(request.headers.authorization);
  });
  answerExpectContinue(app, bodyLimit);
  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'admin request');
  });

  app.setErrorHandler((err, request, reply) => {
    const error = toPlexusError(err, request.routeOptions.config?.invalidRequestCode);
    if (error.status >= 500) logger.error({ method: request.method, path: request.url.split('?')[0], code: error.code, err: err instanceof Error ? err.message : String(err) }, 'admin request failed');
    if (error.code === 'PLEXUS_UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer realm="plexus-admin"');
    return reply.status(error.status).send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new PlexusError('PLEXUS_NOT_FOUND', `No admin route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(errorBody(error));
  });

  registerOpenApi(app);
  // In a plugin registered after the OpenAPI one, so it sees every route added;
  // the hooks, validator and handlers above are inherited.
  void app.register(async (routes) => {
    registerHealthRoutes(routes, context);
    registerMetricsRoutes(routes, context);
    registerEventRoutes(routes, context);
    registerDlqRoutes(routes, context);
    registerReplayRoutes(routes, context);
    registerPluginRoutes(routes, context);
    registerOpenApiRoute(routes);
  });
  return app;
}

/**
 * fastify's parser refuses a "__proto__" key (or "constructor" with a
 * "prototype") as prototype poisoning, but says only "Body is not valid
 * JSON": text that does parse was refused for that key, and the caller is
 * told so.
 */
function explained(err: Error, body: string): Error {
  if ((err as { code?: unknown }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return err;
  try {
    JSON.parse(body);
  } catch {
    return err;
  }
  // A plain 400: each route names its own code for a body it cannot take (toPlexusError).
  return Object.assign(new Error('the JSON has a "__proto__" key (or "constructor" with "prototype"), which the admin API refuses'), { statusCode: 400 });
}
