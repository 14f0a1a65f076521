// https with a pinned address: the socket goes to the checked address while
// SNI, certificate verification and the Host header all use the granted name.
// The certificate below is a self-signed test fixture for api.plexus.test only
// (EC P-256, valid until 2126), trusted for this test process alone.
import assert from 'node:assert/strict';
import https from 'node:https';
import { test } from 'node:test';
import tls, { type TLSSocket } from 'node:tls';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { PlexusError } from '../../src/errors.ts';
import { localServer } from './local-server.ts';

const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOd9M/UpQ2/TI+W0F
nts3cStIiPpKY93FvAGvU9OAwDehRANCAAQGMRuKeOeXUTjgkHc8aOxWGm4dLdRq
ZtFrXERsQqsuxBa7dF8pfUN1eVFNLhqepLjV49paPItx0Uw9EdP3ajnq
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIUNcfxebGmzsI0WUFmf5yBTbwBuzAwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPYXBpLnBsZXh1cy50ZXN0MCAXDTI2MTEyMzE1MDAzNFoYDzIx
MjYxMDMwMTUwMDM0WjAaMRgwFgYDVQQDDA9hcGkucGxleHVzLnRlc3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQGMRuKeOeXUTjgkHc8aOxWGm4dLdRqZtFrXERs
QqsuxBa7dF8pfUN1eVFNLhqepLjV49paPItx0Uw9EdP3ajnqo28wbTAdBgNVHQ4E
FgQUuGulXUHTINjHwqvPHB3jpiRAef0wHwYDVR0jBBgwFoAUuGulXUHTINjHwqvP
HB3jpiRAef0wGgYDVR0RBBMwEYIPYXBpLnBsZXh1cy50ZXN0MA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAP/4ZdCUUrLkfCKsq+Ds7FkNjLLsnXpD
Ow0BPsQGgkuZAiAiYEOprxnMzSNgk6UPC+JTIrUlXzCKuREtUHcWYVYVgw==
-----END CERTIFICATE-----
`;

tls.setDefaultCACertificates([...tls.getCACertificates('default'), CERT]);

interface Seen { servername: string | false | null; host: string | undefined; localAddress: string | undefined }

async function tlsServer() {
  const seen: Seen[] = [];
  const server = await localServer((req, res) => {
    seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host, localAddress: req.socket.localAddress });
    res.end('secure hello');
  }, { tls: { key: KEY, cert: CERT } });
  return { ...server, seen };
}

const toLoopback: FetchLookup = async () => [{ address: '127.0.0.1', family: 4 }];

test('https to a pinned address keeps SNI, certificate checks and Host on the granted name', async (t) => {
  const server = await tlsServer();
  t.after(server.close);
  const res = await guardedFetch(
    { url: `https://api.plexus.test:${server.port}/secure` },
    createFetchPolicy([`api.plexus.test:${server.port}`], { timeoutMs: 5000, allowPrivateNetwork: true }),
    { lookup: toLoopback },
  );
  assert.equal(res.body, 'secure hello');
  assert.deepEqual(server.seen, [{ servername: 'api.plexus.test', host: `api.plexus.test:${server.port}`, localAddress: '127.0.0.1' }]);
});

test('certificate verification stays on: a name the certificate does not cover is refused', async (t) => {
  const server = await tlsServer();
  t.after(server.close);
  for (const url of [`https://other.plexus.test:${server.port}/`, `https://127.0.0.1:${server.port}/`]) {
    const host = new URL(url).host;
    await assert.rejects(
      guardedFetch({ url }, createFetchPolicy([host], { timeoutMs: 5000, allowPrivateNetwork: true }), { lookup: toLoopback }),
      (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_UNAVAILABLE' && err.message.includes('ERR_TLS_CERT_ALTNAME_INVALID'),
      url,
    );
  }
  assert.deepEqual(server.seen, []);
});

test('NODE_TLS_REJECT_UNAUTHORIZED=0 in the host process does not switch verification off for plugins', async (t) => {
  const server = await tlsServer();
  t.after(server.close);
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  t.after(() => {
    if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
  });
  // Sanity check that the setting is live: an ordinary request to an uncovered name now goes through.
  const plain = await new Promise<number>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: server.port, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  });
  assert.equal(plain, 200);
  await assert.rejects(
    guardedFetch({ url: `https://127.0.0.1:${server.port}/` }, createFetchPolicy([`127.0.0.1:${server.port}`], { timeoutMs: 5000 })),
    (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_UNAVAILABLE' && err.message.includes('ERR_TLS_CERT_ALTNAME_INVALID'),
  );
});
