// Rules 1 and 2 of the fetch capability, decided from the URL alone before any
// DNS lookup or connection: which URLs are acceptable and which grants cover them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHostGranted, parseHostGrant, createFetchPolicy, DEFAULT_FETCH_LIMITS } from '../../src/capabilities/fetch-policy.ts';
import { checkTarget } from '../../src/capabilities/fetch-target.ts';
import { PlexusError } from '../../src/errors.ts';

function refusal(fn: () => unknown): PlexusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PlexusError, `expected a PlexusError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

test('a bare host grant covers only the default port of each scheme', () => {
  const grants = ['api.example.com'];
  assert.equal(checkTarget('http://api.example.com/x', undefined, grants).port, 80);
  assert.equal(checkTarget('https://api.example.com/x', undefined, grants).port, 443);
  assert.equal(checkTarget('http://api.example.com:80/x', undefined, grants).port, 80);
  for (const url of ['http://api.example.com:8080/', 'https://api.example.com:80/', 'http://api.example.com:443/', 'https://api.example.com:8443/']) {
    assert.equal(refusal(() => checkTarget(url, undefined, grants)).code, 'PLEXUS_CAPABILITY_DENIED', url);
  }
});

test('a host:port grant covers that port only, for either scheme', () => {
  const grants = ['api.example.com:8443'];
  assert.equal(checkTarget('https://api.example.com:8443/', undefined, grants).label, 'api.example.com:8443');
  assert.equal(checkTarget('http://api.example.com:8443/', undefined, grants).label, 'api.example.com:8443');
  assert.equal(refusal(() => checkTarget('https://api.example.com/', undefined, grants)).code, 'PLEXUS_CAPABILITY_DENIED');
});

test('grants match exact host names only: no subdomains, suffixes or look-alikes', () => {
  const grants = ['example.com'];
  for (const url of ['http://sub.example.com/', 'http://example.com.evil.net/', 'http://evilexample.com/', 'http://example.co/']) {
    const err = refusal(() => checkTarget(url, undefined, grants));
    assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED', url);
  }
  assert.equal(checkTarget('HTTP://EXAMPLE.COM/', undefined, grants).hostname, 'example.com');
});

test('IP grants compare canonical forms, so alternative spellings of the same address match and others do not', () => {
  assert.equal(checkTarget('http://2130706433:8080/', undefined, ['127.0.0.1:8080']).isIpLiteral, true);
  assert.equal(checkTarget('http://127.1:8080/', undefined, ['127.0.0.1:8080']).connectHost, '127.0.0.1');
  const v6 = checkTarget('http://[0:0:0:0:0:0:0:1]:8080/', undefined, ['[::1]:8080']);
  assert.equal(v6.connectHost, '::1');
  assert.equal(v6.isIpLiteral, true);
  assert.equal(refusal(() => checkTarget('http://127.0.0.2:8080/', undefined, ['127.0.0.1:8080'])).code, 'PLEXUS_CAPABILITY_DENIED');
});

test('the denial names host:port and never the path or query', () => {
  const err = refusal(() => checkTarget('https://evil.example.net/steal?token=secret', undefined, ['api.example.com']));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(err.details, { target: 'evil.example.net:443', reason: 'host is not granted' });
  assert.ok(err.message.includes('evil.example.net:443'));
  assert.ok(!err.message.includes('secret'));
});

test('non-http schemes are refused as denials', () => {
  for (const url of ['file:///etc/passwd', 'data:text/plain,hi', 'ftp://api.example.com/', 'ws://api.example.com/', 'javascript:alert(1)', 'gopher://api.example.com/']) {
    const err = refusal(() => checkTarget(url, undefined, ['api.example.com']));
    assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED', url);
  }
});

test('credentials in the URL are refused, including the userinfo trick that hides the real host', () => {
  for (const url of ['http://user:pass@api.example.com/', 'http://user@api.example.com/', 'http://api.example.com@evil.example.net/']) {
    assert.equal(refusal(() => checkTarget(url, undefined, ['api.example.com', 'evil.example.net'])).code, 'PLEXUS_INVALID_REQUEST', url);
  }
});

test('unparseable URLs are invalid requests', () => {
  assert.equal(refusal(() => checkTarget('not a url', undefined, ['api.example.com'])).code, 'PLEXUS_INVALID_REQUEST');
  assert.equal(refusal(() => checkTarget('http://[::1/', undefined, ['api.example.com'])).code, 'PLEXUS_INVALID_REQUEST');
});

test('relative redirect locations resolve against the current URL and are checked like any target', () => {
  const base = new URL('https://api.example.com/a/b?q=1');
  assert.equal(checkTarget('../c', base, ['api.example.com']).url.href, 'https://api.example.com/c');
  assert.equal(refusal(() => checkTarget('//evil.example.net/', base, ['api.example.com'])).code, 'PLEXUS_CAPABILITY_DENIED');
  assert.equal(refusal(() => checkTarget('file:///etc/passwd', base, ['api.example.com'])).code, 'PLEXUS_CAPABILITY_DENIED');
});

test('malformed grants grant nothing (a grant cannot smuggle another host)', () => {
  for (const grant of ['user@evil.example.net', 'api.example.com/path', 'api.example.com:0', 'api.example.com:70000', 'api.example.com#x', '', ':80']) {
    assert.equal(parseHostGrant(grant), null, grant);
  }
  assert.equal(isHostGranted(['evil.example.net@api.example.com'], 'http:', 'api.example.com', 80), false);
  assert.deepEqual(parseHostGrant('API.Example.com:8080'), { hostname: 'api.example.com', port: 8080 });
});

test('createFetchPolicy fills the documented defaults', () => {
  const policy = createFetchPolicy(['api.example.com'], { timeoutMs: 500 });
  assert.deepEqual(policy, { ...DEFAULT_FETCH_LIMITS, timeoutMs: 500, allowedHosts: ['api.example.com'] });
  assert.equal(DEFAULT_FETCH_LIMITS.maxResponseBytes, 5 * 1024 * 1024);
  assert.equal(DEFAULT_FETCH_LIMITS.maxRequestBytes, 1024 * 1024);
  assert.equal(DEFAULT_FETCH_LIMITS.timeoutMs, 10_000);
  assert.equal(DEFAULT_FETCH_LIMITS.maxRedirects, 5);
});
