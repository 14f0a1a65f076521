// Connection credentials (brokers, the Redis store, egress targets) come from
// the config (usually `${ENV}` references) and must never reach a log line or
// a readiness reason. Client libraries put what they were given into their
// error messages (a URL with userinfo, an AUTH argument), so every message
// from such a client passes through here. It lives with the config, which
// owns connection settings (url-settings.ts), so that ingress, egress and
// the store all take it from below rather than from one another.

/** `text` with every occurrence of each secret (4 characters or more) replaced. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; they are not credentials worth the name anyway.
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** A connection URL fit for logs: scheme, host, port and path; userinfo and query dropped. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable url)';
  }
}

/**
 * What is secret in a connection setting: its configured password, and the
 * URL's password as written and decoded (a client may quote either).
 * Config validation refused a password that is not valid percent-encoding.
 */
export function connectionSecrets(setting: { url: string; password?: string | undefined }): string[] {
  const written = URL.parse(setting.url)?.password ?? '';
  const secrets = setting.password === undefined ? [] : [setting.password];
  if (written === '') return secrets;
  secrets.push(written);
  try {
    secrets.push(decodeURIComponent(written));
  } catch {
    // Refused at load (config/url-settings.ts); as written, it is still redacted.
  }
  return secrets;
}
