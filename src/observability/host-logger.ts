// The logger every part of the host writes to: the slice of pino it uses, so
// tests and embedders can pass their own. Beside the pino-backed one
// (logger.ts), below everything that logs.

/** The slice of a pino logger the host uses. */
export interface HostLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): HostLogger;
}
