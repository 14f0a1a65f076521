import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatListenAddress, parseListenAddress } from '../../src/config/listen-address.ts';

test('"host:port" parses to {host, port}; IPv6 hosts are bracketed; port 0 asks for any free port', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:9090'), { host: '127.0.0.1', port: 9090 });
  assert.deepEqual(parseListenAddress('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListenAddress('localhost:65535'), { host: 'localhost', port: 65_535 });
  assert.deepEqual(parseListenAddress('[::1]:9090'), { host: '::1', port: 9090 });
  assert.deepEqual(parseListenAddress('[::]:0'), { host: '::', port: 0 });
  assert.deepEqual(parseListenAddress('plexus.internal:80'), { host: 'plexus.internal', port: 80 });
});

test('anything else is refused', () => {
  for (const text of ['8080', ':8080', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '::1:9090', '[::1]', 'host:port', 'a b:80', 'http://x:80', '[zz]:80', '[:]:0', '[...]:0', '[1.2.3.4]:80', '[::1::2]:80']) {
    assert.equal(parseListenAddress(text), undefined, text);
  }
});

test('formatting round-trips, brackets included', () => {
  for (const text of ['127.0.0.1:9090', '[::1]:9090', 'localhost:0']) assert.equal(formatListenAddress(parseListenAddress(text) as { host: string; port: number }), text);
});
