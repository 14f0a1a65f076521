// `${ENV_NAME}` references in secrets, resolved once at config parse time from
// an injected env map (process.env in production, a literal in tests), so a
// secret never has to be written into a config file.

export type EnvMap = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces every reference; throws naming the variables (never their values) when one is unset, empty or malformed. */
export function resolveEnvRefs(text: string, env: EnvMap): string {
  if (text.replace(REFERENCE, '').includes('${')) throw new Error('has a malformed ${…} reference (use ${ENV_NAME})');
  const missing: string[] = [];
  const resolved = text.replace(REFERENCE, (_match, name: string) => {
    // hasOwn: `${constructor}` must not resolve to Object.prototype.constructor.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value === undefined || value === '') missing.push(name);
    return value ?? '';
  });
  if (missing.length > 0) throw new Error(`references ${missing.map((n) => `\${${n}}`).join(', ')}, which is not set`);
  return resolved;
}
