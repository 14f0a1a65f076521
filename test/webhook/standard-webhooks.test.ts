// Standard Webhooks: signed by the official `standardwebhooks` library (never
// by our code), plus the reference library's own published vector.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createStandardWebhooksVerifier, decodeStandardWebhooksSecret } from '../../src/ingress/webhook/signatures/standard-webhooks.ts';
import { assertPlexusError, NOW_MS, NOW_SEC } from './helpers.ts';

const verifier = createStandardWebhooksVerifier({ toleranceSec: 300 });
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const KEY = decodeStandardWebhooksSecret(SECRET);
const PAYLOAD = '{"type":"contact.created","data":{"id":"1f81eb52"}}';

function signed(payload: string | Buffer, options: { secret?: string; atMs?: number; id?: string } = {}) {
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const at = new Date(options.atMs ?? NOW_MS);
  const signature = new Webhook(options.secret ?? SECRET).sign(id, at, payload);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

describe('standard-webhooks verifier', () => {
  test('accepts a delivery signed by the official standardwebhooks library and returns its signed id and timestamp', () => {
    const result = verifier.verify({ headers: signed(PAYLOAD), rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS);
    assert.deepEqual(result, { deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: NOW_SEC });
  });

  test("matches the published vector of the reference library's test suite (with and without the whsec_ prefix)", () => {
    // standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts, "sign function works".
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const rawBody = Buffer.from('{"test": 2432232314}');
    for (const secret of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']) {
      const result = verifier.verify({ headers, rawBody }, [decodeStandardWebhooksSecret(secret)], 1614265330_000);
      assert.equal(result.deliveryId, 'msg_p5jXN8AQM9LWM0D4loKWxJek');
    }
  });

  test('accepts when any entry of a space-separated signature list matches, skipping v1a and other versions', () => {
    const headers = signed(PAYLOAD);
    const wrong = signed(PAYLOAD, { secret: OTHER_SECRET })['webhook-signature'];
    headers['webhook-signature'] = `${wrong} v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw== v2,abcd ${headers['webhook-signature']}`;
    assert.ok(verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS));
  });

  test('rotation: both configured secrets are accepted; a secret removed from the config is refused', () => {
    const keys = [KEY, decodeStandardWebhooksSecret(OTHER_SECRET)];
    for (const secret of [SECRET, OTHER_SECRET]) {
      assert.ok(verifier.verify({ headers: signed(PAYLOAD, { secret }), rawBody: Buffer.from(PAYLOAD) }, keys, NOW_MS));
    }
    const request = { headers: signed(PAYLOAD, { secret: OTHER_SECRET }), rawBody: Buffer.from(PAYLOAD) };
    assertPlexusError(() => verifier.verify(request, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching signature/);
  });

  test('refuses a delivery signed with a wrong secret', () => {
    const request = { headers: signed(PAYLOAD, { secret: OTHER_SECRET }), rawBody: Buffer.from(PAYLOAD) };
    assertPlexusError(() => verifier.verify(request, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /standard-webhooks: no matching signature/);
  });

  test('refuses a body with one byte changed', () => {
    const rawBody = Buffer.from(PAYLOAD);
    rawBody[10] ^= 0x01;
    assertPlexusError(() => verifier.verify({ headers: signed(PAYLOAD), rawBody }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('refuses each missing header, naming it', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const headers: Record<string, string> = signed(PAYLOAD);
      delete headers[name];
      const pattern = new RegExp(`missing header ${name}`);
      assertPlexusError(() => verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', pattern);
    }
  });

  test('refuses malformed headers: non-integer timestamp, no v1 entry, undecodable v1, dotted id, repeated header', () => {
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ 'webhook-timestamp': '1e9' }, /malformed webhook-timestamp/],
      [{ 'webhook-timestamp': '-1736942400' }, /malformed webhook-timestamp/],
      [{ 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, /malformed webhook-signature/],
      [{ 'webhook-signature': 'v1,not*base64!' }, /malformed webhook-signature/],
      [{ 'webhook-id': 'msg.1' }, /malformed webhook-id/],
      [{ 'webhook-id': ['msg_a', 'msg_b'] }, /webhook-id was sent 2 times/],
    ];
    for (const [override, pattern] of cases) {
      const headers = { ...signed(PAYLOAD), ...override };
      assertPlexusError(() => verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', pattern);
    }
  });

  test('refuses a timestamp 301 s old as expired and 301 s ahead as from the future; accepts exactly 300 s either way', () => {
    const at = (offsetSec: number) => ({ headers: signed(PAYLOAD, { atMs: NOW_MS + offsetSec * 1000 }), rawBody: Buffer.from(PAYLOAD) });
    assertPlexusError(() => verifier.verify(at(-301), [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /expired: timestamp is 301 s old/);
    assertPlexusError(() => verifier.verify(at(301), [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /301 s in the future/);
    assert.ok(verifier.verify(at(-300), [KEY], NOW_MS));
    assert.ok(verifier.verify(at(300), [KEY], NOW_MS));
    const strict = createStandardWebhooksVerifier({ toleranceSec: 60 });
    assertPlexusError(() => strict.verify(at(-61), [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /beyond the 60 s tolerance/);
  });

  test('verifies non-UTF-8 body bytes exactly, and refuses a signature over their lossy UTF-8 decoding', () => {
    // No official library signs raw bytes (standardwebhooks calls buffer.toString()),
    // so the reference signer here is node:crypto, following the spec formula.
    const rawBody = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7d]);
    const headers = signed(PAYLOAD);
    const prefix = `${headers['webhook-id']}.${headers['webhook-timestamp']}.`;
    const digest = createHmac('sha256', KEY).update(prefix).update(rawBody).digest('base64');
    assert.ok(verifier.verify({ headers: { ...headers, 'webhook-signature': `v1,${digest}` }, rawBody }, [KEY], NOW_MS));
    const lossy = { headers: signed(rawBody), rawBody };
    assertPlexusError(() => verifier.verify(lossy, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('verifies an empty body', () => {
    assert.ok(verifier.verify({ headers: signed(''), rawBody: Buffer.alloc(0) }, [KEY], NOW_MS));
  });

  test('reads header names case-insensitively', () => {
    const lower = signed(PAYLOAD);
    const headers = { 'Webhook-Id': lower['webhook-id'], 'WEBHOOK-TIMESTAMP': lower['webhook-timestamp'], 'Webhook-Signature': lower['webhook-signature'] };
    assert.ok(verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS));
  });

  test('decodes secrets as base64 after an optional whsec_ prefix, refusing non-base64 ones', () => {
    assert.deepEqual(decodeStandardWebhooksSecret('whsec_AAEC'), Buffer.from([0, 1, 2]));
    assert.deepEqual(decodeStandardWebhooksSecret('AAE'), Buffer.from([0, 1]));
    assert.throws(() => decodeStandardWebhooksSecret('whsec_not base64!'), /must be base64/);
    assert.throws(() => decodeStandardWebhooksSecret('whsec_'), /must be base64/);
  });
});
