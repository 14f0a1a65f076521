// The environment the sandbox process starts with. Plugin code cannot read
// process.env (it runs in isolates), but the process around it inherited the
// host's whole environment: the admin token, broker passwords and any secret
// an operator passes as an environment variable would be there for anything
// that escaped an isolate. It gets only what Node, ICU and the C library use:
// where programs are, the locale and time zone plugins' Intl and Date follow,
// temp files, the CA certificates plugins' fetch trusts, and Node's own settings.
import { MAX_LOOKUPS_PER_THREAD } from '../capabilities/fetch-lookup-turns.ts';

const KEPT = new Set(['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'TZ', 'LANG', 'LANGUAGE', 'NODE_OPTIONS', 'NODE_COMPILE_CACHE', 'NODE_ICU_DATA', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SystemRoot']);

/**
 * That environment for a sandbox of `threads` workers. Plus a libuv pool as
 * large as the DNS lookups the workers allow at once, twice over: libuv gives
 * slow work like getaddrinfo at most half of it, so file reads and crypto keep
 * the rest while plugins' lookups hang (fetch-lookup-turns.ts). Set at the
 * spawn: libuv reads it once, when the pool is first used.
 */
export function sandboxEnv(threads: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (KEPT.has(name) || name.startsWith('LC_'))) kept[name] = value;
  }
  kept.UV_THREADPOOL_SIZE = String(Math.min(1024, 2 * MAX_LOOKUPS_PER_THREAD * threads));
  return kept;
}
