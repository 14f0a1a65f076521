// What an http grant names: a host (DNS name, IPv4 literal or [IPv6]) and an
// optional port. Its own module, free of the manifest's schema checks: the
// sandbox process and its workers parse grants (grants.ts) and must not load
// ajv and semver to do it (~0.3 s of every sandbox start, and of each respawn).

/** `host` or `host:port`; a host is a DNS name or an IPv4 literal, or [IPv6]. */
const HOST_GRANT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function isValidHostGrant(host: string): boolean {
  if (!HOST_GRANT.test(host)) return false;
  const port = /:(\d+)$/.exec(host.replace(/^\[[^\]]*\]/, ''));
  return !port || (Number(port[1]) > 0 && Number(port[1]) < 65536);
}
