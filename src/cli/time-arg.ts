// Times on the command line: an RFC 3339 date-time, epoch milliseconds, or a
// duration meaning "that long ago" ("1h" is one hour before now), which is
// what an operator usually means by "replay the last hour".
import { parseDuration } from '../config/duration.ts';
import { formatRfc3339, parseRfc3339 } from '../envelope/rfc3339.ts';
import { usageError } from './command.ts';

const DIGITS = /^\d+$/;
/** 9999-12-31T23:59:59.999Z: RFC 3339 has four-digit years (later ones would print as +010000-…, which the host refuses). */
const LAST_MS = 253_402_300_799_999;

/** Epoch milliseconds, or undefined when `text` is none of the three forms or not between 1970 and the year 9999. */
export function parseTimeArg(text: string, now: number): number | undefined {
  const ms = parseAnyForm(text.trim(), now);
  return ms !== undefined && ms >= 0 && ms <= LAST_MS ? ms : undefined;
}

function parseAnyForm(trimmed: string, now: number): number | undefined {
  if (DIGITS.test(trimmed)) {
    const ms = Number(trimmed);
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  const absolute = parseRfc3339(trimmed);
  if (absolute !== undefined) return absolute;
  const ago = parseDuration(trimmed);
  return ago === undefined ? undefined : now - ago;
}

/** As the admin API takes it (and a log reader reads it). */
export function timeArgToRfc3339(text: string, now: number): string | undefined {
  const ms = parseTimeArg(text, now);
  return ms === undefined ? undefined : formatRfc3339(ms);
}

export const TIME_ARG_HELP = 'RFC 3339 (2024-05-01T10:00:00Z), epoch ms, or a duration ago (30m, 1h, 7d)';

/**
 * --from must come before --to (both as timeArgToRfc3339 gives them), as the host requires: with
 * durations ("--from 1h --to 2h") the order is easy to swap, and that is a usage error (exit 2).
 */
export function checkWindow(command: string, from: string, to: string): void {
  if ((parseRfc3339(from) ?? 0) >= (parseRfc3339(to) ?? 0)) throw usageError(command, `--from must be before --to (${from} is not before ${to})`);
}
