// POST /hooks/:source (CONTRACT §7) as a fastify instance, without listening:
// startWebhookServer listens, tests may use `app.inject`. One route per
// configured source, so each gets its own body limit, enforced by fastify
// while the body streams in (and from Content-Length before reading), and
// an unknown source is an ordinary 404 that reads nothing.
//
// Per request: 404 unknown source → 415 content type → 429 precheck (all
// before the body is read) → 413 while reading → receiveDelivery (401, 400,
// 409, 429, durable accept) → 202 {id}.
import Fastify, { type FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { HostLogger } from '../../../observability/host-logger.ts';
import type { HostMetrics } from '../../../observability/host-metrics.ts';
import type { HeaderRecord } from '../headers.ts';
import type { WebhookSource } from '../source-config.ts';
import { answerClientError } from './client-errors.ts';
import { assertJsonContentType } from './content-type.ts';
import { receiveDelivery, type DeliveryIntake } from './receive-delivery.ts';
import { SourceRateLimits } from './source-rate-limits.ts';
import { sendWebhookError, toWebhookError } from './webhook-errors.ts';

export interface WebhookAppOptions extends Omit<DeliveryIntake, 'limits'> {
  sources: ReadonlyMap<string, WebhookSource>;
  logger: HostLogger;
  /** Counts received, accepted and refused deliveries per source (plexus_ingress_events_total). */
  metrics?: Pick<HostMetrics, 'ingress' | 'rateLimited'>;
  now?: () => number;
  /** Time to receive a whole request, headers and body (default 30 s). */
  requestTimeoutMs?: number;
}

/** How long a delivery waits for room in a full host before its 503 (DeliveryIntake.admissionWaitMs). */
const ADMISSION_WAIT_MS = 5000;

/** Time to receive a whole request: a sender trickling bytes must not hold a connection forever. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for requests over their time (so a slow one is cut within timeout + this). */
const CHECK_EVERY_MS = 5000;
const EMPTY = Buffer.alloc(0);

export function buildWebhookApp(options: WebhookAppOptions): FastifyInstance {
  const { sources, logger, metrics } = options;
  const refused = (source: WebhookSource, error: PlexusError): PlexusError => {
    metrics?.ingress.inc({ source: `webhook/${source.name}`, outcome: 'refused', reason: error.code });
    if (error.code === 'PLEXUS_RATE_LIMITED') metrics?.rateLimited.inc({ scope: 'source', key: `webhook/${source.name}` });
    return error;
  };
  const now = options.now ?? Date.now;
  const intake: DeliveryIntake = { host: options.host, logger, limits: new SourceRateLimits(sources.values(), now()), admissionWaitMs: options.admissionWaitMs ?? ADMISSION_WAIT_MS };
  // Fastify's own logger is off: requests are logged below through the host's logger, without headers or bodies.
  // Node enforces requestTimeout only where headersTimeout is not longer (its
  // default is 60 s), and checks both every connectionsCheckingInterval (30 s
  // by default): left alone, a trickling sender held a connection ~90 s.
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: false,
    requestTimeout: timeoutMs,
    http: { headersTimeout: timeoutMs, connectionsCheckingInterval: Math.min(CHECK_EVERY_MS, timeoutMs) },
    clientErrorHandler: answerClientError,
  });
  // Signatures cover the exact bytes: every accepted body stays a Buffer until it is verified.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    // Refuse before fastify reads a body only to throw it away.
    if (request.is404) throw notFound(request.method, request.url);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'webhook request');
  });
  app.setErrorHandler((err, _request, reply) => sendWebhookError(reply, logged(logger, toWebhookError(err, undefined), undefined)));
  app.setNotFoundHandler((request, reply) => sendWebhookError(reply, notFound(request.method, request.url)));

  for (const source of sources.values()) {
    app.post(`/hooks/${source.name}`, {
      bodyLimit: source.maxBodyBytes,
      onRequest: async (request) => {
        metrics?.ingress.inc({ source: `webhook/${source.name}`, outcome: 'received', reason: '' });
        assertJsonContentType(request.headers['content-type']);
        intake.limits.precheck(source.name, now());
      },
      errorHandler: (err, _request, reply) => sendWebhookError(reply, logged(logger, refused(source, toWebhookError(err, source)), source)),
      handler: async (request, reply) => {
        // A request without any body (no Content-Length, no chunks) never reaches the parser.
        const rawBody = Buffer.isBuffer(request.body) ? request.body : EMPTY;
        // Verification sees every copy of a header: request.headers joins a repeated one with ", ", so a
        // second X-GitHub-Delivery made a new delivery id ("d1, d2") that replay protection had never seen.
        const distinct = request.raw.headersDistinct as HeaderRecord | undefined;
        const event = await receiveDelivery(intake, source, { headers: distinct ?? request.headers, rawBody }, now, request.headers);
        metrics?.ingress.inc({ source: `webhook/${source.name}`, outcome: 'accepted', reason: '' });
        return reply.status(202).send({ id: event.id });
      },
    });
  }
  return app;
}

function notFound(method: string, url: string): PlexusError {
  const path = url.split('?')[0] ?? '';
  const name = /^\/hooks\/([^/]+)$/.exec(path)?.[1];
  const message = method === 'POST' && name !== undefined ? `no webhook source ${JSON.stringify(name.slice(0, 64))} is configured` : `no route ${method} ${path.slice(0, 200)}`;
  return new PlexusError('PLEXUS_NOT_FOUND', message);
}

/**
 * Server-side failures are the operator's to see at once; a sender's refused
 * request only at debug (with why: "my GitHub hooks all fail" is a 401 code
 * away), since anyone on the internet can produce those by the thousand.
 */
function logged(logger: HostLogger, error: PlexusError, source: WebhookSource | undefined): PlexusError {
  if (error.status >= 500) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    logger.error({ source: source?.name, code: error.code, err: cause }, 'webhook delivery failed');
  } else {
    logger.debug({ source: source?.name, code: error.code, err: error.message }, 'webhook delivery refused');
  }
  return error;
}
