// Standard Webhooks (standardwebhooks.com, spec v1.0.0), symmetric part:
// HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}`, keyed by the
// base64-decoded secret, sent as space-separated `v1,<base64>` entries so a
// sender can sign with an old and a new secret during rotation.
import {
  badSignature,
  checkTolerance,
  decodeSignature,
  hmac,
  parseUnixSeconds,
  requireHeader,
  requireMatch,
  type SignatureVerifier,
} from './verifier.ts';

const SCHEME = 'standard-webhooks';
export const STANDARD_WEBHOOKS_TOLERANCE_SEC = 300;

/** `whsec_<base64>`; per the spec the prefix is optional and the rest is always base64. */
export function decodeStandardWebhooksSecret(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  // Some senders drop the base64 padding; restore it rather than refuse the key.
  const padded = encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '=');
  const key = decodeSignature(padded, 'base64');
  if (key === undefined || key.length === 0) throw new Error('must be base64, optionally prefixed with whsec_');
  return key;
}

export function createStandardWebhooksVerifier(options: { toleranceSec: number }): SignatureVerifier {
  return {
    scheme: SCHEME,
    verify(request, keys, now) {
      const id = requireHeader(request, 'webhook-id', SCHEME);
      const timestampText = requireHeader(request, 'webhook-timestamp', SCHEME);
      const header = requireHeader(request, 'webhook-signature', SCHEME);
      // The spec forbids `.` in ids: `a.1` + `2` and `a` + `1.2…` would sign the same bytes.
      if (id.includes('.')) throw badSignature(SCHEME, 'malformed webhook-id: must not contain "."');
      const timestamp = parseUnixSeconds(timestampText, SCHEME, 'webhook-timestamp');
      const candidates = parseSignatureList(header);
      checkTolerance(timestamp, now, options.toleranceSec, SCHEME);
      // Sign the header text exactly as sent: it is what the sender signed.
      const expected = keys.map((key) => hmac('sha256', key, [`${id}.${timestampText}.`, request.rawBody]));
      requireMatch(SCHEME, expected, candidates);
      return { deliveryId: id, timestamp };
    },
  };
}

/** The decoded `v1` entries; other versions (v1a is ed25519) are skipped, as the spec lets verifiers do. */
function parseSignatureList(header: string): Buffer[] {
  const candidates: Buffer[] = [];
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const signature = decodeSignature(entry.slice(comma + 1), 'base64');
    if (signature !== undefined) candidates.push(signature);
  }
  if (candidates.length === 0) throw badSignature(SCHEME, 'malformed webhook-signature: no "v1,<base64>" entry');
  return candidates;
}
