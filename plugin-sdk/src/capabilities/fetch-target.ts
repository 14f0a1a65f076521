// Turns a URL from plugin code (or a redirect's Location) into a target the
// fetch capability may connect to: rules 1 and 2 of the fetch capability,
// decided from the URL alone, before any DNS lookup or connection.
import { isIPv4 } from 'node:net';
import { PlexusError } from '../errors.ts';
import { DEFAULT_PORTS, isHostGranted } from './fetch-policy.ts';

export interface FetchTarget {
  readonly url: URL;
  /** As WHATWG URL writes it: lower-case, punycode, IPv6 in brackets. What grants compare against. */
  readonly hostname: string;
  /** What the socket connects to when no DNS is involved: the hostname without IPv6 brackets. */
  readonly connectHost: string;
  readonly port: number;
  /** "host:port", the name used in denials, errors and logs (never the path or query, which may hold secrets). */
  readonly label: string;
  /** The URL names an IP address: the matching grant named it explicitly, so no DNS and no address-class check. */
  readonly isIpLiteral: boolean;
}

/**
 * The longest URL (as serialized, without its fragment, which is never sent)
 * that may be fetched. Neither maxRequestBytes (the body) nor the 64 KiB
 * header cap covers the request line, so without it a plugin could send
 * megabytes in a path or query. 8 KiB is what common servers accept on a
 * request line by default (Apache's LimitRequestLine 8190, nginx's 8k
 * large_client_header_buffers, many CDNs and load balancers), so a longer URL
 * would mostly be answered 414 anyway. The serialized form is ASCII
 * (percent-encoded, punycode), so characters are bytes on the wire.
 */
export const MAX_URL_BYTES = 8 * 1024;

/** A PLEXUS_CAPABILITY_DENIED carrying what `onDenied` needs to log and count it. */
export function deniedError(target: string, reason: string): PlexusError {
  return new PlexusError('PLEXUS_CAPABILITY_DENIED', `fetch to ${target} denied: ${reason}`, { details: { target, reason } });
}

export function checkTarget(rawUrl: string, base: URL | undefined, allowedHosts: readonly string[]): FetchTarget {
  let url: URL;
  try {
    url = new URL(rawUrl, base);
  } catch {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', base === undefined ? 'fetch: invalid URL' : 'fetch: redirect with an invalid Location');
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) throw deniedError(url.protocol, 'only http: and https: URLs may be fetched');
  const port = url.port === '' ? defaultPort : Number(url.port);
  const hostname = url.hostname;
  const label = `${hostname}:${port}`;
  // The grant first: "http://granted@evil/" names evil, so it is a denial to log
  // and count (CONTRACT §4), not merely an invalid request.
  if (!isHostGranted(allowedHosts, url.protocol, hostname, port)) throw deniedError(label, 'host is not granted');
  // Oversized like a body or headers past their caps; checked before any DNS lookup or connection.
  if (url.href.length - url.hash.length > MAX_URL_BYTES) {
    throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', base === undefined ? `fetch: URL exceeds ${MAX_URL_BYTES} bytes` : `fetch: redirect Location exceeds ${MAX_URL_BYTES} bytes`);
  }
  // Userinfo would be sent as Basic auth to whoever answers; plugins pass credentials in headers instead.
  if (url.username !== '' || url.password !== '') throw new PlexusError('PLEXUS_INVALID_REQUEST', 'fetch: credentials in the URL are not allowed');
  const isV6 = hostname.startsWith('[');
  return {
    url,
    hostname,
    connectHost: isV6 ? hostname.slice(1, -1) : hostname,
    port,
    label,
    isIpLiteral: isV6 || isIPv4(hostname),
  };
}
