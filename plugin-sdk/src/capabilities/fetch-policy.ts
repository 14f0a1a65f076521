// What a plugin's ctx.fetch may do: the effective host grants plus the size,
// time and redirect limits (CONTRACT §4). Also answers "is host:port granted?",
// the check that runs before any DNS lookup or connection.
import { PlexusError } from '../errors.ts';

export interface FetchPolicy {
  /** Effective grants: "host" or "host:port", lower-case. "host" alone = the scheme's default port only (80 http, 443 https). */
  allowedHosts: string[];
  maxResponseBytes: number;
  maxRequestBytes: number;
  /** The whole request: DNS, connect, every redirect hop and the body. */
  timeoutMs: number;
  maxRedirects: number;
  /** Let a granted DNS name resolve to loopback/private/link-local/CGNAT/ULA addresses (never to multicast, unspecified or reserved ones). */
  allowPrivateNetwork?: boolean;
}

export type FetchLimits = Omit<FetchPolicy, 'allowedHosts'>;

export const DEFAULT_FETCH_LIMITS: Readonly<Required<FetchLimits>> = Object.freeze({
  maxResponseBytes: 5 * 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 5,
  allowPrivateNetwork: false,
});

export function createFetchPolicy(allowedHosts: readonly string[], limits: Partial<FetchLimits> = {}): FetchPolicy {
  return { ...DEFAULT_FETCH_LIMITS, ...limits, allowedHosts: [...allowedHosts] };
}

/** setTimeout's ceiling (2^31-1 ms); a longer delay would fire immediately. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Refuses a malformed policy (a host bug, so PLEXUS_INTERNAL): a NaN limit
 * would otherwise fail open (`bytes > NaN` is never true) and a NaN or huge
 * timeout would fire at once in setTimeout.
 */
export function assertValidPolicy(policy: FetchPolicy): void {
  const sizes = [policy.maxResponseBytes, policy.maxRequestBytes, policy.maxRedirects];
  const ok =
    Array.isArray(policy.allowedHosts) &&
    policy.allowedHosts.every((h) => typeof h === 'string') &&
    sizes.every((n) => Number.isSafeInteger(n) && n >= 0) &&
    Number.isSafeInteger(policy.timeoutMs) && policy.timeoutMs > 0 && policy.timeoutMs <= MAX_TIMEOUT_MS;
  if (!ok) throw new PlexusError('PLEXUS_INTERNAL', 'fetch: the host passed a malformed fetch policy');
}

export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({ 'http:': 80, 'https:': 443 });

// Only the characters a host grant can hold; anything else (`@`, `/`, `#`) could
// make the URL parser below read a different host than the operator wrote.
const GRANT_SHAPE = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

export interface HostGrant {
  /** Canonical as WHATWG URL writes a hostname: lower-case, IPv4 dotted, IPv6 bracketed and compressed. */
  hostname: string;
  /** null = the scheme's default port only. */
  port: number | null;
}

/** Parses one grant; null for a malformed one, which then grants nothing. */
export function parseHostGrant(grant: string): HostGrant | null {
  const match = GRANT_SHAPE.exec(grant);
  if (!match) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  try {
    // Canonicalise the host exactly as the request URL's host is canonicalised,
    // so "127.1" or "[::FFFF:7f00:1]" in a grant compare equal to what a URL yields.
    return { hostname: new URL(`http://${match[1]}/`).hostname, port };
  } catch {
    return null;
  }
}

/** True when a grant covers `hostname` (URL form) on `port` for `protocol`. */
export function isHostGranted(allowedHosts: readonly string[], protocol: string, hostname: string, port: number): boolean {
  const defaultPort = DEFAULT_PORTS[protocol];
  return allowedHosts.some((raw) => {
    const grant = parseHostGrant(raw);
    if (grant === null || grant.hostname !== hostname) return false;
    return grant.port === null ? port === defaultPort : grant.port === port;
  });
}
