// One way to build an ajv instance (draft 2020-12, with formats) and one way
// to turn its errors into field paths a person can act on.
import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((formats as unknown as { default: FormatsPlugin }).default ?? formats) as FormatsPlugin;

export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

/** `/plexus/subscribe/0` → `plexus.subscribe[0]`, rooted at `root`. */
export function jsonPointerToPath(pointer: string, root: string): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? (path ? `.${seg}` : seg) : `[${JSON.stringify(seg)}]`;
  }
  return path || '(root)';
}

export interface FieldProblem {
  path: string;
  message: string;
}

export function describeAjvErrors(errors: ErrorObject[] | null | undefined, root: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Duplicates dropped through a set: scanning the list for each error was quadratic, seconds for a document with tens of thousands of errors.
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = jsonPointerToPath(e.instancePath, root);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = jsonPointerToPath(`${e.instancePath}/${String(e.params.missingProperty)}`, root);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = jsonPointerToPath(`${e.instancePath}/${String(e.params.additionalProperty)}`, root);
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${JSON.stringify(e.params.allowedValues)}`;
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}

export function formatProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.path} ${p.message}`).join('; ');
}
