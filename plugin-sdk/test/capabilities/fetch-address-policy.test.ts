// The address classes the fetch capability relies on to keep a granted DNS
// name from reaching internal networks (rule 3). Pure table tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress, isPrivateNetworkClass, type AddressClass } from '../../src/capabilities/fetch-address-policy.ts';

const CASES: ReadonlyArray<readonly [string, AddressClass]> = [
  ['93.184.216.34', 'public'],
  ['8.8.8.8', 'public'],
  ['172.32.0.1', 'public'], // just outside 172.16/12
  ['100.128.0.1', 'public'], // just outside 100.64/10
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.255', 'shared'],
  ['169.254.169.254', 'link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:82a::200e', 'public'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'reserved'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:8.8.8.8', 'public'],
  ['0:0:0:0:0:ffff:192.168.0.1', 'private'],
  ['64:ff9b::10.0.0.1', 'private'], // NAT64 to a private address
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::1', 'reserved'],
  ['::127.0.0.1', 'reserved'], // deprecated IPv4-compatible
  ['100::1', 'reserved'], // discard-only
  ['2001:db8::1', 'reserved'],
  ['2001::1', 'reserved'], // Teredo
  ['3fff::1', 'reserved'],
  ['2002:7f00:1::1', 'loopback'], // 6to4 wrapping 127.0.0.1
  ['2002:0808:0808::1', 'public'],
  ['2606:4700::1%eth0', 'reserved'],
  ['localhost', 'invalid'],
  ['', 'invalid'],
  ['1.2.3', 'invalid'],
];

for (const [address, expected] of CASES) {
  test(`classifies ${address || '(empty)'} as ${expected}`, () => {
    assert.equal(classifyAddress(address), expected);
  });
}

test('allowPrivateNetwork opens only unicast private classes, never multicast, unspecified or reserved ones', () => {
  for (const cls of ['loopback', 'private', 'link-local', 'shared', 'unique-local'] as const) assert.equal(isPrivateNetworkClass(cls), true, cls);
  for (const cls of ['public', 'unspecified', 'multicast', 'broadcast', 'reserved', 'invalid'] as const) assert.equal(isPrivateNetworkClass(cls), false, cls);
});
