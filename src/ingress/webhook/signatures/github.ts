// GitHub: `X-Hub-Signature-256: sha256=<hex>` = HMAC-SHA256 of the body keyed
// by the secret as UTF-8 (docs.github.com, "Validating webhook deliveries").
// There is no timestamp, so replay protection rests on X-GitHub-Delivery,
// which GitHub does not sign: it stops redeliveries and duplicates, not an
// attacker who captured a request and rewrites that header.
import { createHmacVerifier } from './hmac.ts';
import type { SignatureVerifier } from './verifier.ts';

export function createGithubVerifier(): SignatureVerifier {
  return createHmacVerifier(
    { header: 'X-Hub-Signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', signedPayload: [{ field: 'body' }] },
    'github',
  );
}
