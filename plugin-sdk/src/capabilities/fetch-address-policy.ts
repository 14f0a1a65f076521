// Classifies an IP address so the fetch capability can refuse to reach
// internal networks through a DNS name (SSRF). Pure: strings in, a class out.
// Ranges follow the IANA IPv4/IPv6 special-purpose registries; anything not
// provably public unicast is refused, because a miss here is a breach and a
// false refusal only costs the operator an explicit IP grant.
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'invalid';

/** Unicast classes an operator may open with `allowPrivateNetwork`; the rest can never carry a TCP connection to a real service. */
const PRIVATE_NETWORK_CLASSES: ReadonlySet<AddressClass> = new Set<AddressClass>(['loopback', 'private', 'link-local', 'shared', 'unique-local']);

export function isPrivateNetworkClass(cls: AddressClass): boolean {
  return PRIVATE_NETWORK_CLASSES.has(cls);
}

// First match wins: broadcast sits before 240/4 so it keeps its own name.
const IPV4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'], // CGNAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // TEST-NET-1
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // TEST-NET-2
  ['203.0.113.0', 24, 'reserved'], // TEST-NET-3
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyIPv4(ipv4ToInt(address));
  if (!isIPv6(address)) return 'invalid';
  const zone = address.indexOf('%');
  if (zone !== -1) {
    // A zone id only makes sense for link-scoped addresses; a "public" one with a zone is not something to trust.
    const cls = classifyAddress(address.slice(0, zone));
    return cls === 'public' ? 'reserved' : cls;
  }
  const groups = parseIPv6(address);
  return groups === null ? 'invalid' : classifyIPv6(groups);
}

function classifyIPv4(ip: number): AddressClass {
  for (const [base, bits, cls] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((ip & mask) >>> 0) === ipv4ToInt(base)) return cls;
  }
  return 'public';
}

function classifyIPv6(g: readonly number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = ((g6 << 16) | g7) >>> 0;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) packets go to the embedded IPv4 address: judge that one.
  if (upperZero && g5 === 0xffff) return classifyIPv4(embedded);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIPv4(embedded);
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is global unicast; ::/8 (IPv4-compatible), 100::/64 (discard), fec0::/10 (site-local) etc. are not.
  if ((g0 & 0xe000) !== 0x2000) return 'reserved';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // documentation
  if (g0 === 0x2001 && g1 < 0x0200) return 'reserved'; // 2001::/23 IETF protocol assignments, incl. Teredo
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return 'reserved'; // 3fff::/20 documentation
  // 6to4 tunnels to the IPv4 address in bits 16-47: judge that one.
  if (g0 === 0x2002) return classifyIPv4(((g1 << 16) | g2) >>> 0);
  return 'public';
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Eight 16-bit groups of a valid (isIPv6) address, expanding `::` and a dotted IPv4 tail. */
function parseIPv6(address: string): number[] | null {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Rewrite the dotted tail as two hex groups so one parser handles every form.
    if (!isIPv4(last)) return null;
    const v4 = ipv4ToInt(last);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  return groups.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? groups : null;
}
