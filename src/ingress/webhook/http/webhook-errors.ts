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

export function sendWebhookError(reply: FastifyReply, error: PlexusError): FastifyReply {
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.status(error.status).send(errorBody(error));
}
