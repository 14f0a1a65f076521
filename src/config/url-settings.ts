// The config's URL settings (store.url, brokers.amqp.*.url, brokers.redis.*.url),
// checked at load the way the clients read them at start. Before, the schema only
// matched the start of the text, so a URL that `new URL` refuses (a port past
// 65535, a space, an unclosed "[") or userinfo that is not valid percent-encoding
// failed `plexus start` with a bare "Invalid URL" or "URI malformed", naming no
// setting. The problems never quote the value: its userinfo may hold a password.
// (Egress targets have no URL of their own: they publish through a `brokers` connection.)
import { jsonPointerToPath, type FieldProblem } from '@plexus/plugin-sdk/runtime';

interface UrlKind {
  schemes: readonly string[];
  /** What is wrong with the URL's path for this kind, if anything. */
  pathProblem(pathname: string): string | undefined;
}

/** The vhost is the path, percent-decoded (amqp-connect-options.ts). */
const AMQP: UrlKind = {
  schemes: ['amqp:', 'amqps:'],
  pathProblem: (pathname) => (decodes(pathname) ? undefined : 'has a vhost (its path) that is not valid percent-encoding (%XX)'),
};

/** The path is the database number (redis-client-options.ts, ioredis); anything else was read as 0 or refused by SELECT. */
const REDIS: UrlKind = {
  schemes: ['redis:', 'rediss:'],
  pathProblem: (pathname) => (/^(\/\d*)?$/.test(pathname) ? undefined : 'path must be a database number, like /0, or nothing'),
};

/** What is wrong with `text` as a URL of `kind`, in words that never include it. */
export function urlProblem(text: string, kind: UrlKind): string | undefined {
  const url = URL.parse(text);
  if (url === null) return 'is not a URL (check the host and port, and percent-encode reserved characters in the user name and password)';
  if (!kind.schemes.includes(url.protocol)) return `scheme must be ${kind.schemes.join(' or ')}`;
  if (url.hostname === '') return 'has no host';
  if (!decodes(url.username) || !decodes(url.password)) return 'has a user name or password that is not valid percent-encoding (%XX)';
  return kind.pathProblem(url.pathname);
}

/** The problems of every URL setting in a (schema-checked) config document. */
export function urlSettingProblems(document: unknown): FieldProblem[] {
  const doc = asRecord(document);
  const settings: [string[], unknown, UrlKind][] = [];
  const store = asRecord(doc.store);
  if (store.kind === 'redis') settings.push([['store', 'url'], store.url, REDIS]);
  const brokers = asRecord(doc.brokers);
  for (const [section, kind] of [['amqp', AMQP], ['redis', REDIS]] as const) {
    for (const [name, source] of Object.entries(asRecord(brokers[section]))) settings.push([['brokers', section, name, 'url'], asRecord(source).url, kind]);
  }
  return settings.flatMap(([keys, value, kind]) => {
    // Not text: the schema reports it.
    const message = typeof value === 'string' ? urlProblem(value, kind) : undefined;
    return message === undefined ? [] : [{ path: jsonPointerToPath(keys.map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''), ''), message }];
  });
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
