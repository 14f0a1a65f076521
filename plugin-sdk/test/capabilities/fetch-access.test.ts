// Who guardedFetch may talk to (rules 1-3), against real servers on loopback:
// the grant is checked before DNS or any connection, a granted name must
// resolve to an allowed address, and the socket goes only to the address that
// was checked.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import net, { type LookupFunction } from 'node:net';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy, type FetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { PlexusError } from '../../src/errors.ts';
import { rejection } from './fetch-test-helpers.ts';
import { localServer } from './local-server.ts';

// Safety net for this file, which feeds non-loopback addresses to the code under
// test: any attempt to connect off loopback (or to resolve a name without the
// pinned lookup) is recorded and the socket destroyed before a packet leaves.
const offLoopback: string[] = [];
const isLoopback = (a: string): boolean => a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
const realConnect = net.Socket.prototype.connect;
Object.defineProperty(net.Socket.prototype, 'connect', {
  configurable: true,
  writable: true,
  value: function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    // net.createConnection passes its normalised [options, callback] array as the only argument.
    const holder: unknown[] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const opts = holder[0];
    if (typeof opts === 'object' && opts !== null) {
      const o = opts as { host?: unknown; lookup?: unknown };
      const host = typeof o.host === 'string' ? o.host : 'localhost';
      const lookup = o.lookup;
      if (net.isIP(host) ? !isLoopback(host) : typeof lookup !== 'function') {
        offLoopback.push(host);
        process.nextTick(() => this.destroy(new Error(`test guard: refused connect to ${host}`)));
        return this;
      }
      if (typeof lookup === 'function') {
        const inner = lookup as LookupFunction;
        const wrapped: LookupFunction = (name, options, callback) =>
          inner(name, options, (err, address, family) => {
            const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
            if (err === null && list.some((a) => !isLoopback(a))) {
              offLoopback.push(...list);
              callback(new Error('test guard: refused off-loopback address'), '', 0);
            } else callback(err, address, family);
          });
        holder[0] = { ...o, lookup: wrapped };
      }
    }
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  },
});

interface Seen { headers: IncomingHttpHeaders; localAddress: string }

/** Answers 'hello' to each request on arrival, recording its headers and the address it came in on. */
async function helloServer(host?: string) {
  const seen: Seen[] = [];
  const server = await localServer((req, res) => {
    seen.push({ headers: req.headers, localAddress: req.socket.localAddress ?? '' });
    res.end('hello');
  }, { host });
  return { ...server, seen };
}

function fakeDns(answers: (name: string, call: number) => string[]): { lookup: FetchLookup; calls: string[] } {
  const calls: string[] = [];
  const lookup: FetchLookup = async (name) => {
    calls.push(name);
    return answers(name, calls.length).map((address) => ({ address, family: net.isIP(address) }));
  };
  return { lookup, calls };
}

function policy(hosts: string[], extra: Partial<FetchPolicy> = {}): FetchPolicy {
  return createFetchPolicy(hosts, { timeoutMs: 5000, ...extra });
}


test('an ungranted host is refused before any DNS lookup or connection, and the denial is reported', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const dns = fakeDns(() => ['127.0.0.1']);
  const denials: [string, string][] = [];
  const hooks = { lookup: dns.lookup, onDenied: (target: string, reason: string) => void denials.push([target, reason]) };
  const grants = policy(['api.plexus.test', `127.0.0.1:${server.port + 1}`], { allowPrivateNetwork: true });

  const byIp = await rejection(guardedFetch({ url: `http://127.0.0.1:${server.port}/` }, grants, hooks));
  const byName = await rejection(guardedFetch({ url: `http://internal.plexus.test:${server.port}/` }, grants, hooks));

  assert.equal(byIp.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.equal(byName.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.match(byName.message, /internal\.plexus\.test/);
  assert.equal(server.connections(), 0);
  assert.deepEqual(dns.calls, []);
  assert.deepEqual(denials, [
    [`127.0.0.1:${server.port}`, 'host is not granted'],
    [`internal.plexus.test:${server.port}`, 'host is not granted'],
  ]);
});

test('a bare host grant does not open other ports', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const err = await rejection(guardedFetch({ url: `http://127.0.0.1:${server.port}/` }, policy(['127.0.0.1'])));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.equal(server.connections(), 0);
});

test('an IP literal grant is reached directly: no DNS lookup, no address-class refusal', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const dns = fakeDns(() => ['10.0.0.1']);
  const res = await guardedFetch({ url: `http://127.0.0.1:${server.port}/` }, policy([`127.0.0.1:${server.port}`]), { lookup: dns.lookup });
  assert.equal(res.body, 'hello');
  assert.deepEqual(dns.calls, []);
});

test('an IPv6 literal grant ([::1]:port) is reached directly', async (t) => {
  const server = await helloServer('::1');
  t.after(server.close);
  const res = await guardedFetch({ url: `http://[::1]:${server.port}/` }, policy([`[::1]:${server.port}`]));
  assert.equal(res.status, 200);
  assert.equal(server.seen[0]?.headers.host, `[::1]:${server.port}`);
});

for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'fd00::2', 'fe80::1', '64:ff9b::a00:1']) {
  test(`a granted DNS name resolving to ${address} is refused without connecting`, async (t) => {
    const server = await helloServer();
    t.after(server.close);
    const dns = fakeDns(() => [address]);
    const denials: string[] = [];
    const err = await rejection(guardedFetch({ url: `http://internal.plexus.test:${server.port}/` }, policy([`internal.plexus.test:${server.port}`]), {
      lookup: dns.lookup,
      onDenied: (_target, reason) => void denials.push(reason),
    }));
    assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
    assert.deepEqual(dns.calls, ['internal.plexus.test']);
    assert.equal(denials.length, 1);
    assert.ok(denials[0]?.includes(address), denials[0]);
    assert.equal(server.connections(), 0);
    assert.deepEqual(offLoopback, []);
  });
}

test('every resolved address must be public: one private answer among public ones refuses the fetch', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const dns = fakeDns(() => ['93.184.216.34', '2606:4700::1', '10.0.0.1']);
  const err = await rejection(guardedFetch({ url: `http://mixed.plexus.test:${server.port}/` }, policy([`mixed.plexus.test:${server.port}`]), { lookup: dns.lookup }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.match(err.message, /10\.0\.0\.1/);
  assert.deepEqual(offLoopback, []);
});

test('allowPrivateNetwork lets a granted name reach a private address, keeping the name in the Host header', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const dns = fakeDns(() => ['127.0.0.1']);
  const res = await guardedFetch({ url: `http://internal.plexus.test:${server.port}/` }, policy([`internal.plexus.test:${server.port}`], { allowPrivateNetwork: true }), { lookup: dns.lookup });
  assert.equal(res.body, 'hello');
  assert.equal(server.seen[0]?.headers.host, `internal.plexus.test:${server.port}`);
});

test('allowPrivateNetwork still refuses unspecified, multicast and reserved addresses', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  for (const address of ['0.0.0.0', '::', '224.0.0.1', '240.0.0.1']) {
    const dns = fakeDns(() => [address]);
    const err = await rejection(guardedFetch({ url: `http://odd.plexus.test:${server.port}/` }, policy([`odd.plexus.test:${server.port}`], { allowPrivateNetwork: true }), { lookup: dns.lookup }));
    assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED', address);
  }
  assert.equal(server.connections(), 0);
});

test('DNS rebinding is impossible: the name is resolved once and the socket connects to the checked address', async (t) => {
  // The first answer is the one checked; every later answer "rebinds" to another
  // address (127.0.0.2, where nothing listens). A second resolution at connect
  // time would fail the fetch; pinning connects to what was checked.
  const server = await helloServer();
  t.after(server.close);
  const dns = fakeDns((_name, call) => (call === 1 ? ['127.0.0.1'] : ['127.0.0.2']));
  const res = await guardedFetch({ url: `http://rebind.plexus.test:${server.port}/` }, policy([`rebind.plexus.test:${server.port}`], { allowPrivateNetwork: true }), { lookup: dns.lookup });
  assert.equal(res.status, 200);
  assert.deepEqual(dns.calls, ['rebind.plexus.test']);
  assert.equal(server.seen[0]?.localAddress, '127.0.0.1');
  assert.equal(server.seen[0]?.headers.host, `rebind.plexus.test:${server.port}`);
});

test('a localhost grant reaches only loopback answers, trying each checked one', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  // ::1 has no listener here, so success proves the connection moved on to the other checked address.
  const both = fakeDns(() => ['::1', '127.0.0.1']);
  const res = await guardedFetch({ url: `http://localhost:${server.port}/` }, policy([`localhost:${server.port}`]), { lookup: both.lookup });
  assert.equal(res.body, 'hello');
  const hijacked = fakeDns(() => ['10.0.0.1']);
  const err = await rejection(guardedFetch({ url: `http://localhost:${server.port}/` }, policy([`localhost:${server.port}`]), { lookup: hijacked.lookup }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(offLoopback, []);
});

test('a name that does not resolve is PLEXUS_UNAVAILABLE, not a denial', async () => {
  const lookup: FetchLookup = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
  const err = await rejection(guardedFetch({ url: 'http://missing.plexus.test/' }, policy(['missing.plexus.test']), { lookup }));
  assert.equal(err.code, 'PLEXUS_UNAVAILABLE');
});

test('file:, data: and ftp: URLs are refused as denials without connecting', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const denied: string[] = [];
  for (const url of ['file:///etc/passwd', 'data:text/plain,hello', `ftp://127.0.0.1:${server.port}/`]) {
    const err = await rejection(guardedFetch({ url }, policy([`127.0.0.1:${server.port}`]), { onDenied: (target) => void denied.push(target) }));
    assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED', url);
  }
  assert.deepEqual(denied, ['file:', 'data:', 'ftp:']);
  assert.equal(server.connections(), 0);
});

test('credentials in the URL are refused without connecting', async (t) => {
  const server = await helloServer();
  t.after(server.close);
  const err = await rejection(guardedFetch({ url: `http://user:secret@127.0.0.1:${server.port}/` }, policy([`127.0.0.1:${server.port}`])));
  assert.equal(err.code, 'PLEXUS_INVALID_REQUEST');
  assert.ok(!err.message.includes('secret'));
  assert.equal(server.connections(), 0);
});

test('nothing in this file ever tried to connect off loopback', () => {
  assert.deepEqual(offLoopback, []);
});
