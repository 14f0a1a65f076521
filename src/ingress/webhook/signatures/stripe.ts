// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over
// `${t}.${body}` keyed by the WHOLE secret string as UTF-8: unlike Standard
// Webhooks, the `whsec_` prefix is part of the key and nothing is base64-decoded.
// Several v1 entries appear while a secret is being rolled; any match accepts.
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

const SCHEME = 'stripe';
const HEADER = 'Stripe-Signature';
export const STRIPE_TOLERANCE_SEC = 300;

export function createStripeVerifier(options: { toleranceSec: number }): SignatureVerifier {
  return {
    scheme: SCHEME,
    verify(request, keys, now) {
      const { timestampText, candidates } = parseStripeHeader(requireHeader(request, HEADER, SCHEME));
      const timestamp = parseUnixSeconds(timestampText, SCHEME, `${HEADER} t`);
      // stripe-node only bounds the age; a far-future t would stretch the
      // replay window, so the tolerance applies on both sides here.
      checkTolerance(timestamp, now, options.toleranceSec, SCHEME);
      const expected = keys.map((key) => hmac('sha256', key, [`${timestampText}.`, request.rawBody]));
      requireMatch(SCHEME, expected, candidates);
      return { timestamp };
    },
  };
}

function parseStripeHeader(header: string): { timestampText: string; candidates: Buffer[] } {
  const timestamps: string[] = [];
  const candidates: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') timestamps.push(value);
    if (key !== 'v1') continue;
    const signature = decodeSignature(value, 'hex');
    if (signature !== undefined) candidates.push(signature);
  }
  // Two `t` values would leave it open which one the signature covered.
  if (timestamps.length !== 1) throw badSignature(SCHEME, `malformed ${HEADER}: expected exactly one t=<unix seconds>`);
  if (candidates.length === 0) throw badSignature(SCHEME, `malformed ${HEADER}: no v1=<hex> signature`);
  return { timestampText: timestamps[0], candidates };
}
