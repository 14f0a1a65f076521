// GitHub: signed by the official @octokit/webhooks-methods `sign`, plus the
// example vector published in GitHub's "Validating webhook deliveries" docs.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { createGithubVerifier } from '../../src/ingress/webhook/signatures/github.ts';
import { decodeUtf8Secret } from '../../src/ingress/webhook/signatures/hmac.ts';
import { assertPlexusError, NOW_MS } from './helpers.ts';

const verifier = createGithubVerifier();
const SECRET = 'gh-webhook-secret-4f9a';
const OLD_SECRET = 'gh-webhook-secret-old-77c1';
const KEY = decodeUtf8Secret(SECRET);
const PAYLOAD = '{"action":"opened","number":42,"repository":{"full_name":"acme/plexus"}}';

async function request(payload: string, secret = SECRET) {
  return { headers: { 'X-Hub-Signature-256': await sign(secret, payload) }, rawBody: Buffer.from(payload) };
}

describe('github verifier', () => {
  test('accepts a delivery signed by the official @octokit/webhooks-methods sign()', async () => {
    assert.deepEqual(verifier.verify(await request(PAYLOAD), [KEY], NOW_MS), {});
  });

  test("matches GitHub's documented example: \"It's a Secret to Everybody\" over \"Hello, World!\"", () => {
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    assert.ok(verifier.verify({ headers, rawBody: Buffer.from('Hello, World!') }, [decodeUtf8Secret("It's a Secret to Everybody")], NOW_MS));
  });

  test('refuses a delivery signed with a wrong secret', async () => {
    const wrong = await request(PAYLOAD, 'not-the-secret');
    assertPlexusError(() => verifier.verify(wrong, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /github: no matching signature/);
  });

  test('rotation: both configured secrets are accepted; a secret removed from the config is refused', async () => {
    const keys = [KEY, decodeUtf8Secret(OLD_SECRET)];
    assert.ok(verifier.verify(await request(PAYLOAD, SECRET), keys, NOW_MS));
    assert.ok(verifier.verify(await request(PAYLOAD, OLD_SECRET), keys, NOW_MS));
    const old = await request(PAYLOAD, OLD_SECRET);
    assertPlexusError(() => verifier.verify(old, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching signature/);
  });

  test('refuses a body with one byte changed', async () => {
    const { headers, rawBody } = await request(PAYLOAD);
    rawBody[rawBody.length - 3] ^= 0x01;
    assertPlexusError(() => verifier.verify({ headers, rawBody }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('refuses a missing X-Hub-Signature-256 (the legacy sha1 X-Hub-Signature is not enough)', async () => {
    const headers = { 'X-Hub-Signature': `sha1=${createHmac('sha1', SECRET).update(PAYLOAD).digest('hex')}` };
    assertPlexusError(() => verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /missing header X-Hub-Signature-256/);
  });

  test('refuses malformed headers: wrong prefix, non-hex digest, odd-length digest', async () => {
    const good = (await sign(SECRET, PAYLOAD)).slice('sha256='.length);
    for (const value of [`sha1=${good}`, good, 'sha256=zz' + good.slice(2), `sha256=${good.slice(1)}`]) {
      const headers = { 'x-hub-signature-256': value };
      assertPlexusError(() => verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /malformed X-Hub-Signature-256/);
    }
  });

  test('refuses a truncated digest as no match (length checked before the constant-time compare)', async () => {
    const headers = { 'x-hub-signature-256': (await sign(SECRET, PAYLOAD)).slice(0, -2) };
    assertPlexusError(() => verifier.verify({ headers, rawBody: Buffer.from(PAYLOAD) }, [KEY], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
  });

  test('verifies non-UTF-8 body bytes exactly and an empty body', () => {
    // octokit's sign() takes only non-empty strings, so node:crypto is the reference signer for raw bytes.
    for (const rawBody of [Buffer.from([0xff, 0x00, 0xfe, 0xc0, 0xaf, 0x80]), Buffer.alloc(0)]) {
      const headers = { 'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET).update(rawBody).digest('hex')}` };
      assert.ok(verifier.verify({ headers, rawBody }, [KEY], NOW_MS));
    }
  });
});
