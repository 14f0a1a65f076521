// Durations in the config file and on the CLI: a number is milliseconds; a
// string is one or more <amount><unit> parts ("30s", "24h", "1h30m", "1.5s")
// or plain digits (milliseconds, so an env reference like ${TIMEOUT_MS} that
// resolves to "5000" means what it says).

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const DIGITS = /^\d+$/;

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const total = DIGITS.test(trimmed) ? Number(trimmed) : WHOLE.test(trimmed) ? sumOfParts(trimmed) : undefined;
  if (total === undefined) return undefined;
  // Whole milliseconds: timers and stores work in integers.
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

function sumOfParts(text: string): number {
  let total = 0;
  // matchAll works on a copy of the regex, so the shared /g never carries lastIndex between calls.
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return total;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** A validated duration (number of ms or duration string) as milliseconds. */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) throw new TypeError(`not a duration: ${JSON.stringify(value)}`);
  return ms;
}

export const DURATION_EXPECTATION = 'must be milliseconds or a duration like "30s", "5m", "24h", "7d"';
