// The whole verification of one webhook delivery, in the only safe order:
// size → signature over the raw bytes → JSON → type → delivery id → replay.
// The replay claim comes last so a delivery refused for any other reason does
// not burn its id (the sender's corrected retry must still get through), and
// after the signature so forged requests cannot pre-claim real ids. Without
// a guard the claim is the caller's: the host's route makes it part of the
// durable accept (receive-delivery.ts).
import { PlexusError } from '@plexus/plugin-sdk';
import { parseJsonSafely } from '@plexus/plugin-sdk/runtime';
import { extractDeliveryId } from './delivery-id.ts';
import { deriveEventType } from './event-type.ts';
import type { ReplayGuard } from './replay-guard.ts';
import type { WebhookRequest } from './signatures/verifier.ts';
import type { WebhookSource } from './source-config.ts';

export interface VerifiedWebhook {
  source: string;
  type: string;
  /** Claimed in the replay store (or to be claimed by the caller); undefined when the source does not dedup. */
  deliveryId: string | undefined;
  /** Signed timestamp, unix seconds, when the scheme has one. */
  timestamp: number | undefined;
  /** Parsed JSON body; undefined for an empty body. */
  body: unknown;
}

export async function verifyWebhookDelivery(
  source: WebhookSource,
  request: WebhookRequest,
  replay: ReplayGuard | undefined,
  now: number = Date.now(),
): Promise<VerifiedWebhook> {
  // The route should also give its body parser this limit so it never buffers more.
  if (request.rawBody.length > source.maxBodyBytes) {
    throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `body is ${request.rawBody.length} bytes; source ${source.name} accepts at most ${source.maxBodyBytes}`);
  }
  const verified = source.verifySignature(request, now);
  const body = parseJsonBody(request.rawBody);
  const parts = { headers: request.headers, body };
  const type = deriveEventType(source.type, parts);
  const deliveryId = source.deliveryId ? extractDeliveryId(source.deliveryId, parts) : undefined;
  if (deliveryId !== undefined && replay !== undefined) await replay.claim(source.name, deliveryId, source.replayWindowMs);
  return { source: source.name, type, deliveryId, timestamp: verified.timestamp, body };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON must be UTF-8 (RFC 8259 §8.1); a lossy decode could change what plugins see versus what was signed.
 * Nesting is bounded before parsing (parseJsonSafely): a body too deep for the rest of the host never becomes a value.
 */
export function parseJsonBody(rawBody: Buffer): unknown {
  if (rawBody.length === 0) return undefined;
  try {
    return parseJsonSafely(utf8.decode(rawBody));
  } catch (err) {
    if (err instanceof PlexusError) throw err;
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'body is not valid UTF-8 JSON');
  }
}
