// parseWebhookSources: defaults, ${ENV} secrets, and refusals that name the
// failing path without ever echoing a secret.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { PlexusError } from '@plexus/plugin-sdk';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { assertPlexusError, NOW_MS } from './helpers.ts';

const FIXED = { from: 'fixed', value: 'test.event' };

function refusal(config: unknown, path: string, message: RegExp, env: Record<string, string> = {}): void {
  assertPlexusError(() => parseWebhookSources(config, { env }), 'PLEXUS_INVALID_REQUEST', new RegExp(`${escape(path)} ${message.source}`));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('parseWebhookSources', () => {
  test('parses several sources, applying per-scheme defaults and carrying rate limits', () => {
    const sources = parseWebhookSources(
      {
        github: { signature: { scheme: 'github', secrets: ['s1'] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'github.' }, rateLimit: { perSecond: 10, burst: 20 } },
        stripe: { signature: { scheme: 'stripe', secrets: ['whsec_x'] }, type: { from: 'body', path: '$.type', prefix: 'stripe.' }, maxBodyBytes: 65536 },
        svix: { signature: { scheme: 'standard-webhooks', secrets: ['whsec_AAECAw=='] }, type: { from: 'body', path: '$.type' }, replayWindowSec: 600 },
        internal: { signature: { scheme: 'none' }, type: FIXED },
      },
      { env: {} },
    );
    assert.deepEqual([...sources.keys()], ['github', 'stripe', 'svix', 'internal']);
    const github = sources.get('github');
    assert.deepEqual(github?.deliveryId, { from: 'header', header: 'X-GitHub-Delivery' });
    assert.deepEqual(github?.rateLimit, { perSecond: 10, burst: 20 });
    assert.equal(github?.maxBodyBytes, 1024 * 1024);
    assert.equal(github?.replayWindowMs, 86_400_000);
    assert.deepEqual(sources.get('stripe')?.deliveryId, { from: 'body', path: { text: '$.id', segments: ['id'] } });
    assert.equal(sources.get('stripe')?.maxBodyBytes, 65536);
    assert.deepEqual(sources.get('svix')?.deliveryId, { from: 'header', header: 'webhook-id' });
    // The claim outlives the 601 s a delivery stays acceptable (whole-second tolerance, both ends inclusive).
    assert.equal(sources.get('svix')?.replayWindowMs, 601_000);
    assert.equal(sources.get('internal')?.deliveryId, undefined);
    assert.equal(sources.get('internal')?.scheme, 'none');
  });

  test('resolves ${ENV_NAME} secrets from the injected env map, and the parsed source never exposes them', () => {
    const env = { GH_SECRET: 'from-the-environment-91f2' };
    const source = parseWebhookSources({ gh: { signature: { scheme: 'github', secrets: ['${GH_SECRET}'] }, type: FIXED } }, { env }).get('gh');
    assert.ok(source);
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    const headers = { 'x-hub-signature-256': `sha256=${createHmac('sha256', env.GH_SECRET).update(body).digest('hex')}` };
    assert.ok(source.verifySignature({ headers, rawBody: body }, NOW_MS));
    const hex = Buffer.from(env.GH_SECRET).toString('hex');
    for (const dump of [JSON.stringify(source), inspect(source, { depth: 10, showHidden: true })]) {
      assert.ok(!dump.includes(env.GH_SECRET) && !dump.includes(hex), 'secret visible in a dump of the source');
    }
  });

  test('refuses an unset env reference by path and variable name, without echoing any secret value', () => {
    const config = { gh: { signature: { scheme: 'github', secrets: ['literal-secret-5b7e', '${MISSING_SECRET}', 'pre${ALSO_MISSING}'] }, type: FIXED } };
    refusal(config, 'webhooks.gh.signature.secrets[1]', /references \$\{MISSING_SECRET\}, which is not set/);
    refusal(config, 'webhooks.gh.signature.secrets[2]', /references \$\{ALSO_MISSING\}/);
    refusal({ gh: { signature: { scheme: 'github', secrets: ['${lower case}'] }, type: FIXED } }, 'webhooks.gh.signature.secrets[0]', /has a malformed/);
    refusal({ gh: { signature: { scheme: 'github', secrets: ['${constructor}'] }, type: FIXED } }, 'webhooks.gh.signature.secrets[0]', /references \$\{constructor\}, which is not set/);
    try {
      parseWebhookSources({ sw: { signature: { scheme: 'standard-webhooks', secrets: ['${SW}'] }, type: FIXED } }, { env: { SW: 'not base64 !!' } });
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof PlexusError);
      assert.match(err.message, /webhooks\.sw\.signature\.secrets\[0\] must be base64/);
      assert.ok(!err.message.includes('not base64 !!'), 'the env value leaked into the error');
      assert.deepEqual(err.details?.problems, [{ path: 'webhooks.sw.signature.secrets[0]', message: 'must be base64, optionally prefixed with whsec_' }]);
    }
  });

  test('refuses invalid shapes, naming the failing path', () => {
    const gh = (signature: object, rest: object = {}) => ({ gh: { signature: { scheme: 'github', secrets: ['s'], ...signature }, type: FIXED, ...rest } });
    const cases: [unknown, string, RegExp][] = [
      [[], 'webhooks', /must be object/],
      [{ gh: { type: FIXED } }, 'webhooks.gh.signature', /is required/],
      [gh({ scheme: 'gitlab' }), 'webhooks.gh.signature.scheme', /must be one of/],
      [gh({ secrets: [] }), 'webhooks.gh.signature.secrets', /must NOT have fewer than 1 items/],
      [gh({ secrets: [''] }), 'webhooks.gh.signature.secrets[0]', /must NOT have fewer than 1 characters/],
      [gh({ header: 'X-Sig' }), 'webhooks.gh.signature.header', /is not a known field/],
      [{ gh: { signature: { scheme: 'github' }, type: FIXED } }, 'webhooks.gh.signature.secrets', /is required/],
      [{ h: { signature: { scheme: 'hmac', secrets: ['s'] }, type: FIXED } }, 'webhooks.h.signature.header', /is required/],
      [{ h: { signature: { scheme: 'hmac', secrets: ['s'], header: 'X Sig' }, type: FIXED } }, 'webhooks.h.signature.header', /must match pattern/],
      [{ h: { signature: { scheme: 'hmac', secrets: ['s'], header: 'X', algorithm: 'md5' }, type: FIXED } }, 'webhooks.h.signature.algorithm', /must be one of/],
      [{ n: { signature: { scheme: 'none', secrets: ['s'] }, type: FIXED } }, 'webhooks.n.signature.secrets', /is not a known field/],
      [gh({}, { type: { from: 'query' } }), 'webhooks.gh.type.from', /must be one of/],
      [gh({}, { type: { from: 'header' } }), 'webhooks.gh.type.header', /is required/],
      [gh({}, { maxBodyBytes: 0 }), 'webhooks.gh.maxBodyBytes', /must be >= 1/],
      [gh({}, { rateLimit: { perSecond: 5 } }), 'webhooks.gh.rateLimit.burst', /is required/],
      [gh({}, { rateLimit: { perSecond: 0, burst: 1 } }), 'webhooks.gh.rateLimit.perSecond', /must be > 0/],
      [gh({}, { deliveryId: { from: 'cookie' } }), 'webhooks.gh.deliveryId.from', /must be one of/],
      [gh({}, { retries: 3 }), 'webhooks.gh.retries', /is not a known field/],
    ];
    for (const [config, path, message] of cases) refusal(config, path, message);
  });

  test('refuses what the schema cannot see: names, types, paths, templates, secrets, replay window', () => {
    const src = (signature: object, rest: object = {}) => ({ s: { signature, type: FIXED, ...rest } });
    const hmac = (extra: object) => ({ scheme: 'hmac', secrets: ['k'], header: 'X-Sig', ...extra });
    const github = { scheme: 'github', secrets: ['k'] };
    const cases: [unknown, string, RegExp][] = [
      [{ 'bad name': { signature: github, type: FIXED } }, 'webhooks["bad name"]', /source name must be/],
      [{ 'a:b': { signature: github, type: FIXED } }, 'webhooks["a:b"]', /source name must be/],
      [src({ scheme: 'github', secrets: ['ok', '${FILE_SECRET}'] }), 'webhooks.s.signature.secrets[1]', /has leading or trailing whitespace/],
      [src(github, { type: { from: 'fixed', value: 'has space' } }), 'webhooks.s.type.value', /must be an event type/],
      [src(github, { type: { from: 'body', path: 'event.type' } }), 'webhooks.s.type.path', /must start with \$/],
      [src(github, { type: { from: 'body', path: '$.event[*]' } }), 'webhooks.s.type.path', /cannot be read at character 8/],
      [src(github, { type: { from: 'header', header: 'X-Event', prefix: 'bad prefix.' } }), 'webhooks.s.type.prefix', /must start an event type/],
      [src(github, { deliveryId: { from: 'body', path: '$..id' } }), 'webhooks.s.deliveryId.path', /cannot be read/],
      [src(hmac({ signedPayload: '{timestamp}', timestampHeader: 'X-Ts' })), 'webhooks.s.signature.signedPayload', /must contain \{body\} exactly once/],
      [src(hmac({ signedPayload: '{timestamp}.{body}' })), 'webhooks.s.signature.signedPayload', /uses \{timestamp\} but no timestampHeader/],
      [src(hmac({ signedPayload: '{ts}.{body}', timestampHeader: 'X-Ts' })), 'webhooks.s.signature.signedPayload', /has unknown placeholder \{ts\}/],
      [src(hmac({ signedPayload: '{body}', timestampHeader: 'X-Ts' })), 'webhooks.s.signature.signedPayload', /must contain \{timestamp\} when a timestampHeader is configured/],
      [src({ scheme: 'standard-webhooks', secrets: ['whsec_***'] }), 'webhooks.s.signature.secrets[0]', /must be base64/],
      [src({ scheme: 'stripe', secrets: ['k'] }, { replayWindowSec: 599 }), 'webhooks.s.replayWindowSec', /must be at least 600/],
      [src({ scheme: 'standard-webhooks', secrets: ['AAAA'], toleranceSec: 60 }, { replayWindowSec: 100 }), 'webhooks.s.replayWindowSec', /must be at least 120/],
    ];
    for (const [config, path, message] of cases) refusal(config, path, message, { FILE_SECRET: 'from-a-file\n' });
  });

  test('accepts a short replay window where there is no timestamp, or no delivery id to remember', () => {
    const env = { env: {} };
    assert.ok(parseWebhookSources({ s: { signature: { scheme: 'github', secrets: ['k'] }, type: FIXED, replayWindowSec: 60 } }, env).get('s'));
    const noIds = { scheme: 'stripe', secrets: ['k'] };
    assert.ok(parseWebhookSources({ s: { signature: noIds, type: FIXED, deliveryId: { from: 'none' }, replayWindowSec: 60 } }, env).get('s'));
  });

  test('reports every problem of every source at once, under a configurable root', () => {
    const config = { a: { signature: { scheme: 'github', secrets: ['${NOPE}'] }, type: FIXED }, b: { signature: { scheme: 'stripe', secrets: ['k'] }, type: { from: 'fixed', value: '' } } };
    try {
      parseWebhookSources(config, { env: {}, root: 'ingress.webhooks' });
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof PlexusError);
      assert.equal(err.status, 400);
      assert.deepEqual((err.details?.problems as { path: string }[]).map((p) => p.path), ['ingress.webhooks.a.signature.secrets[0]', 'ingress.webhooks.b.type.value']);
    }
  });
});
