// Webhook refusals in the one error body of CONTRACT §7, through the admin
// API's mapping (error-replies.ts), so both listeners word fastify's own
// errors alike. Only the body-size refusal is reworded: the admin mapping
// names the admin API, and a sender needs to know its source's limit.
import type { FastifyReply } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import { errorBody, toPlexusError } from '../../../admin/error-replies.ts';
import type { WebhookSource } from '../source-config.ts';
import { retryAfterSeconds } from './source-rate-limits.ts';

export function toWebhookError(err: unknown, source: WebhookSource | undefined): PlexusError {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' && source !== undefined) {
    return new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `body is larger than the ${source.maxBodyBytes} bytes source ${source.name} accepts`, {
      details: { maxBytes: source.maxBodyBytes },
    });
  }
  return toPlexusError(err);
}

/**
 * Refused before its body was read (413 from Content-Length), a request gets
 * `connection: close` from fastify, and Node closes the socket once the reply
 * is written. The sender, still writing the body it announced, then meets a
 * closed socket: the reset can discard the reply it has not read yet, so it
 * sees EPIPE instead of the 413 that says why. A body of announced length up
 * to this size is therefore read to its end and dropped (Node does that on a
 * connection kept open), as nginx's lingering close does; a longer one, or
 * one of unknown length (chunked), is cut off as fastify intends.
 */
export const DRAIN_REFUSED_BODY_BYTES = 64 * 1024 * 1024;

export function sendWebhookError(reply: FastifyReply, error: PlexusError): FastifyReply {
  if (!reply.request.raw.complete && drainable(reply.request.headers['content-length'])) reply.removeHeader('connection');
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.status(error.status).send(errorBody(error));
}

function drainable(contentLength: string | undefined): boolean {
  const bytes = Number(contentLength);
  return contentLength !== undefined && Number.isSafeInteger(bytes) && bytes <= DRAIN_REFUSED_BODY_BYTES;
}
