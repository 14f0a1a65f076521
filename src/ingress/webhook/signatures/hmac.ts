// Generic HMAC: one header carrying `<prefix><hex|base64 digest>`, keyed by the
// secret's UTF-8 bytes, over the body or over a template such as
// `{timestamp}.{body}` when a timestamp header is configured. Expresses
// seed 000's X-Luminaguard-Signature (bare hex HMAC-SHA256 of the body) and
// seed 004's `sha256=` variant; GitHub is this scheme with fixed settings.
import {
  badSignature,
  checkTolerance,
  decodeSignature,
  hmac,
  parseUnixSeconds,
  requireHeader,
  requireMatch,
  type HashAlgorithm,
  type SignatureEncoding,
  type SignatureVerifier,
} from './verifier.ts';

export type SignedPayloadPart = { literal: string } | { field: 'body' | 'timestamp' };

export interface HmacOptions {
  header: string;
  algorithm: HashAlgorithm;
  encoding: SignatureEncoding;
  /** Text before the digest in the header, e.g. `sha256=`; '' for none. */
  prefix: string;
  timestamp?: { header: string; toleranceSec: number };
  signedPayload: readonly SignedPayloadPart[];
}

export const HMAC_TOLERANCE_SEC = 300;

/** Plain secrets are keys as typed (UTF-8): that is what GitHub, Stripe and seed 000 sign with. */
export function decodeUtf8Secret(secret: string): Buffer {
  if (secret.length === 0) throw new Error('must not be empty');
  return Buffer.from(secret, 'utf8');
}

/**
 * `{body}` exactly once, `{timestamp}` if and only if a timestamp header
 * exists: a timestamp that is checked but not signed could be rewritten by
 * anyone replaying a captured delivery, so its tolerance would protect
 * nothing. Unknown `{…}` placeholders are refused: a typo would otherwise be
 * signed as literal text and every delivery would fail with a baffling
 * mismatch.
 */
export function compileSignedPayload(template: string, hasTimestamp: boolean): SignedPayloadPart[] {
  const parts: SignedPayloadPart[] = [];
  let bodies = 0;
  for (const piece of template.split(/(\{[A-Za-z_]*\})/)) {
    if (piece === '') continue;
    if (piece === '{body}') bodies++;
    if (piece === '{body}' || piece === '{timestamp}') parts.push({ field: piece === '{body}' ? 'body' : 'timestamp' });
    else if (/^\{[A-Za-z_]*\}$/.test(piece)) throw new Error(`has unknown placeholder ${piece} (use {body} and {timestamp})`);
    else parts.push({ literal: piece });
  }
  if (bodies !== 1) throw new Error('must contain {body} exactly once');
  const signsTimestamp = parts.some((p) => 'field' in p && p.field === 'timestamp');
  if (!hasTimestamp && signsTimestamp) throw new Error('uses {timestamp} but no timestampHeader is configured');
  if (hasTimestamp && !signsTimestamp) throw new Error('must contain {timestamp} when a timestampHeader is configured (an unsigned timestamp can be rewritten by a replayer)');
  return parts;
}

export function createHmacVerifier(options: HmacOptions, scheme = 'hmac'): SignatureVerifier {
  return {
    scheme,
    verify(request, keys, now) {
      const header = requireHeader(request, options.header, scheme);
      if (!header.startsWith(options.prefix)) {
        throw badSignature(scheme, `malformed ${options.header}: expected "${options.prefix}<${options.encoding} digest>"`);
      }
      const signature = decodeSignature(header.slice(options.prefix.length), options.encoding);
      if (signature === undefined) throw badSignature(scheme, `malformed ${options.header}: digest is not ${options.encoding}`);
      let timestampText = '';
      let timestamp: number | undefined;
      if (options.timestamp) {
        timestampText = requireHeader(request, options.timestamp.header, scheme);
        timestamp = parseUnixSeconds(timestampText, scheme, options.timestamp.header);
        checkTolerance(timestamp, now, options.timestamp.toleranceSec, scheme);
      }
      const message = options.signedPayload.map((part) =>
        'literal' in part ? part.literal : part.field === 'body' ? request.rawBody : timestampText,
      );
      const expected = keys.map((key) => hmac(options.algorithm, key, message));
      requireMatch(scheme, expected, [signature]);
      return timestamp === undefined ? {} : { timestamp };
    },
  };
}
