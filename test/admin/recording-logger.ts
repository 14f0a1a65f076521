// A HostLogger that keeps every line, for asserting what was (and was not) logged.
import type { HostLogger } from '../../src/observability/host-logger.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

export class RecordingLogger implements HostLogger {
  readonly lines: LogLine[];
  readonly #bindings: object;

  constructor(lines: LogLine[] = [], bindings: object = {}) {
    this.lines = lines;
    this.#bindings = bindings;
  }

  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', fields: { ...this.#bindings, ...fields }, message });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields: { ...this.#bindings, ...fields }, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields: { ...this.#bindings, ...fields }, message });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', fields: { ...this.#bindings, ...fields }, message });
  }
  child(bindings: object): HostLogger {
    return new RecordingLogger(this.lines, { ...this.#bindings, ...bindings });
  }

  /** Everything logged, as one string (to assert a secret never appears). */
  get text(): string {
    return JSON.stringify(this.lines);
  }
}
