// A HostLogger that keeps each line with its child bindings apart from its
// fields, to assert what a plugin's child logger adds (name, version) and
// what the line itself carries.
import type { HostLogger } from '../../src/observability/host-logger.ts';

export interface BoundLine {
  bindings: object;
  fields: object;
  message: string;
}

export function bindingsLogger(lines: BoundLine[] = [], bindings: object = {}): { lines: BoundLine[]; logger: HostLogger } {
  const write = (fields: object, message: string) => void lines.push({ bindings, fields, message });
  return { lines, logger: { debug: write, info: write, warn: write, error: write, child: (more) => bindingsLogger(lines, { ...bindings, ...more }).logger } };
}
