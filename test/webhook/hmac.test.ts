// Generic HMAC, configured through the real config parser. There is no
// official library for ad-hoc HMAC schemes, so the reference signers are the
// seeds' own formulas: a vector computed by seed 000's Python snippet, and
// node:crypto.createHmac for the variants.
import assert from 'node:assert/strict';
import { createHmac, type BinaryLike } from 'node:crypto';
import { describe, test } from 'node:test';
import type { HmacSignatureConfig } from '../../src/ingress/webhook/index.ts';
import { assertPlexusError, NOW_MS, NOW_SEC, sourceFrom } from './helpers.ts';

const SECRET = 'webhook-secret';
const PAYLOAD = '{"event_type":"task.created","payload":{"task_id":"123"}}';

function hmacSource(options: Omit<HmacSignatureConfig, 'scheme' | 'secrets'>, secrets = [SECRET]) {
  return sourceFrom({ signature: { scheme: 'hmac', secrets, ...options } });
}

function digest(algorithm: string, parts: BinaryLike[], encoding: 'hex' | 'base64' = 'hex', secret = SECRET): string {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

describe('generic hmac verifier', () => {
  test("reproduces seed 000's X-Luminaguard-Signature exactly: bare hex HMAC-SHA256 of the body, secret b\"webhook-secret\"", () => {
    // Computed with the seed's snippet in CPython 3.11:
    //   payload = json.dumps(event).encode(); hmac.new(b"webhook-secret", payload, hashlib.sha256).hexdigest()
    const payload = '{"event_id": "evt-123", "event_type": "task.created", "source": "webhook", "payload": {"task_id": "123", "status": "pending"}, "priority": 2}';
    const signature = 'df0dd5ede9b7d69a7ca0d01394dda8dd699abffccfcdf8f70d80c434303bafe9';
    const source = hmacSource({ header: 'X-Luminaguard-Signature' });
    assert.deepEqual(source.verifySignature({ headers: { 'x-luminaguard-signature': signature }, rawBody: Buffer.from(payload) }, NOW_MS), {});
    const tampered = { headers: { 'X-Luminaguard-Signature': signature }, rawBody: Buffer.from(payload.replace('123', '124')) };
    assertPlexusError(() => source.verifySignature(tampered, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /hmac: no matching signature/);
  });

  test("expresses seed 004's x-webhook-signature: sha256=<hex> (verified over the raw bytes, not re-serialised JSON)", () => {
    const source = hmacSource({ header: 'x-webhook-signature', prefix: 'sha256=' });
    const headers = { 'X-Webhook-Signature': `sha256=${digest('sha256', [PAYLOAD])}` };
    assert.ok(source.verifySignature({ headers, rawBody: Buffer.from(PAYLOAD) }, NOW_MS));
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(PAYLOAD), null, 1));
    assertPlexusError(() => source.verifySignature({ headers, rawBody: reserialised }, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('supports sha1 and sha512 and base64 digests', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
      for (const encoding of ['hex', 'base64'] as const) {
        const source = hmacSource({ header: 'X-Sig', algorithm, encoding });
        const headers = { 'X-Sig': digest(algorithm, [PAYLOAD], encoding) };
        assert.ok(source.verifySignature({ headers, rawBody: Buffer.from(PAYLOAD) }, NOW_MS), `${algorithm}/${encoding}`);
      }
    }
    const sha1Source = hmacSource({ header: 'X-Sig', algorithm: 'sha1' });
    const sha256Digest = { 'X-Sig': digest('sha256', [PAYLOAD]) };
    assertPlexusError(() => sha1Source.verifySignature({ headers: sha256Digest, rawBody: Buffer.from(PAYLOAD) }, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('signs `{timestamp}.{body}` when a timestamp header is configured, and honours a custom template', () => {
    const defaultTemplate = hmacSource({ header: 'X-Sig', timestampHeader: 'X-Sig-Timestamp' });
    const headers = { 'X-Sig': digest('sha256', [`${NOW_SEC}.`, PAYLOAD]), 'X-Sig-Timestamp': String(NOW_SEC) };
    assert.deepEqual(defaultTemplate.verifySignature({ headers, rawBody: Buffer.from(PAYLOAD) }, NOW_MS), { timestamp: NOW_SEC });
    const slackLike = hmacSource({ header: 'X-Sig', prefix: 'v0=', timestampHeader: 'X-Ts', signedPayload: 'v0:{timestamp}:{body}' });
    const slackHeaders = { 'X-Sig': `v0=${digest('sha256', [`v0:${NOW_SEC}:`, PAYLOAD])}`, 'X-Ts': String(NOW_SEC) };
    assert.ok(slackLike.verifySignature({ headers: slackHeaders, rawBody: Buffer.from(PAYLOAD) }, NOW_MS));
  });

  test('with a timestamp: refuses expired, future, missing and malformed timestamps, and a timestamp swapped after signing', () => {
    const source = hmacSource({ header: 'X-Sig', timestampHeader: 'X-Ts', toleranceSec: 120 });
    const at = (ts: number, sent = String(ts)) => ({ headers: { 'X-Sig': digest('sha256', [`${ts}.`, PAYLOAD]), 'X-Ts': sent }, rawBody: Buffer.from(PAYLOAD) });
    assertPlexusError(() => source.verifySignature(at(NOW_SEC - 121), NOW_MS), 'PLEXUS_BAD_SIGNATURE', /expired: timestamp is 121 s old, beyond the 120 s/);
    assertPlexusError(() => source.verifySignature(at(NOW_SEC + 121), NOW_MS), 'PLEXUS_BAD_SIGNATURE', /121 s in the future/);
    assertPlexusError(() => source.verifySignature(at(NOW_SEC, `${NOW_SEC}.0`), NOW_MS), 'PLEXUS_BAD_SIGNATURE', /malformed X-Ts/);
    assertPlexusError(() => source.verifySignature(at(NOW_SEC - 10, String(NOW_SEC)), NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
    const noTs = { headers: { 'X-Sig': digest('sha256', [`${NOW_SEC}.`, PAYLOAD]) }, rawBody: Buffer.from(PAYLOAD) };
    assertPlexusError(() => source.verifySignature(noTs, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /missing header X-Ts/);
  });

  test('refuses a wrong secret, a missing header, a wrong prefix and a digest in the wrong encoding', () => {
    const source = hmacSource({ header: 'X-Sig', prefix: 'sha256=' });
    const rawBody = Buffer.from(PAYLOAD);
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'X-Sig': `sha256=${digest('sha256', [PAYLOAD], 'hex', 'other')}` }, /no matching signature/],
      [{}, /missing header X-Sig/],
      [{ 'X-Sig': `sha512=${digest('sha256', [PAYLOAD])}` }, /malformed X-Sig: expected "sha256=<hex digest>"/],
      [{ 'X-Sig': `sha256=${digest('sha256', [PAYLOAD], 'base64')}` }, /malformed X-Sig: digest is not hex/],
    ];
    for (const [headers, pattern] of cases) assertPlexusError(() => source.verifySignature({ headers, rawBody }, NOW_MS), 'PLEXUS_BAD_SIGNATURE', pattern);
  });

  test('rotation: both configured secrets are accepted; a secret removed from the config is refused', () => {
    const rotating = hmacSource({ header: 'X-Sig' }, ['old-secret', 'new-secret']);
    for (const secret of ['old-secret', 'new-secret']) {
      assert.ok(rotating.verifySignature({ headers: { 'X-Sig': digest('sha256', [PAYLOAD], 'hex', secret) }, rawBody: Buffer.from(PAYLOAD) }, NOW_MS));
    }
    const rotated = hmacSource({ header: 'X-Sig' }, ['new-secret']);
    const oldSigned = { headers: { 'X-Sig': digest('sha256', [PAYLOAD], 'hex', 'old-secret') }, rawBody: Buffer.from(PAYLOAD) };
    assertPlexusError(() => rotated.verifySignature(oldSigned, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('verifies non-UTF-8 body bytes exactly and an empty body, and refuses a one-byte change', () => {
    const source = hmacSource({ header: 'X-Sig', encoding: 'base64' });
    for (const rawBody of [Buffer.from([0xfe, 0xff, 0x00, 0xd8, 0x00, 0xdc]), Buffer.alloc(0)]) {
      assert.ok(source.verifySignature({ headers: { 'X-Sig': digest('sha256', [rawBody], 'base64') }, rawBody }, NOW_MS));
    }
    const rawBody = Buffer.from([0xfe, 0xff, 0x00, 0xd8]);
    const headers = { 'X-Sig': digest('sha256', [rawBody], 'base64') };
    rawBody[3] ^= 0x80;
    assertPlexusError(() => source.verifySignature({ headers, rawBody }, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });
});

describe('none scheme', () => {
  test('accepts unsigned deliveries, but only for a source configured with scheme "none"', () => {
    const trusted = sourceFrom({ signature: { scheme: 'none' } });
    assert.deepEqual(trusted.verifySignature({ headers: {}, rawBody: Buffer.from(PAYLOAD) }, NOW_MS), {});
    const signed = hmacSource({ header: 'X-Sig' });
    assertPlexusError(() => signed.verifySignature({ headers: {}, rawBody: Buffer.from(PAYLOAD) }, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /missing header X-Sig/);
  });
});
