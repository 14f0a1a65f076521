// `${NAME}` and `${NAME:-default}` anywhere in the config file's string values,
// resolved from an injected env map (process.env in production, a literal in
// tests) so secrets need not be written into the file. `$${` is a literal
// `${`. Problems name the path and the variable, never a value: the resolved
// text may be a secret.
import type { FieldProblem } from '@plexus/plugin-sdk/runtime';
import { jsonPointerToPath } from '@plexus/plugin-sdk/runtime';

export type EnvMap = Readonly<Record<string, string | undefined>>;

// A reference, an escaped one (`$${...}`), or a lone `$${` (a literal `${` with no `}` after it).
const REFERENCE = /\$(\$?)\{([^{}]*)\}|\$\$\{/g;
const BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface ResolvedDocument {
  value: unknown;
  problems: FieldProblem[];
}

/** A deep copy of `value` with every reference in its strings resolved; keys are left as they are. */
export function resolveEnvReferences(value: unknown, env: EnvMap): ResolvedDocument {
  const problems: FieldProblem[] = [];
  const walk = (node: unknown, pointer: string): unknown => {
    if (typeof node === 'string') return resolveString(node, env, (message) => problems.push({ path: jsonPointerToPath(pointer, ''), message }));
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${pointer}/${i}`));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        // defineProperty: a "__proto__" key stays an ordinary key, for the schema to refuse.
        Object.defineProperty(out, key, { value: walk(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return { value: walk(value, ''), problems };
}

function resolveString(text: string, env: EnvMap, problem: (message: string) => void): string {
  if (text.replace(REFERENCE, '').includes('${')) {
    problem('has an unterminated ${ (write ${NAME} or ${NAME:-default}; $${ for a literal ${)');
    return text;
  }
  return text.replace(REFERENCE, (match, escaped: string | undefined, body: string | undefined) => {
    if (body === undefined) return '${';
    if (escaped === '$') return match.slice(1);
    const parsed = BODY.exec(body);
    if (!parsed) {
      problem(`has an invalid reference \${${body}} (write \${NAME} or \${NAME:-default})`);
      return match;
    }
    const [, name, fallback] = parsed as unknown as [string, string, string | undefined];
    // hasOwn: `${constructor}` must not resolve to Object.prototype.constructor.
    const set = Object.hasOwn(env, name) ? env[name] : undefined;
    // As in the shell's ${NAME:-default}: an empty variable counts as unset.
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    problem(`references \${${name}}, which is not set`);
    return '';
  });
}
