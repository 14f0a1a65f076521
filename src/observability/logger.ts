// The host's logger: pino, JSON lines on stdout (one object per line, for
// whatever collects them), ISO timestamps, and redaction of fields that carry
// credentials by name, as a backstop: the host logs ids and paths, never
// payloads or secret values, but a future log call must not be one typo away
// from leaking a token.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { HostLogger } from './host-logger.ts';
import { DEFAULT_LOG_LEVEL, type LogLevel } from './log-level.ts';

/** Field names whose values never reach a log line, at the top level and one level down. */
const SECRET_FIELDS = ['token', 'adminToken', 'secret', 'secrets', 'password', 'apiKey', 'authorization', 'cookie'];

export const REDACTED = '[redacted]';

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout (synchronous writes, so nothing is lost on process.exit). */
  destination?: DestinationStream;
}

export type PlexusLogger = Logger & HostLogger;

export function createLogger(options: LoggerOptions = {}): PlexusLogger {
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      name: 'plexus',
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"warn" rather than 40: readable without pino-pretty, and still what log tools filter on.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
