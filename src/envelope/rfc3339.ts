// RFC 3339 timestamps (`time`, `expiresat`). Our own parser rather than
// Date.parse: Date.parse accepts many non-RFC forms, rejects valid ones (a
// lowercase `t`, a leap second) and maps years 0-99 to 19xx. The envelope
// schema uses this same function as its format, so "valid" and "parseable"
// can never disagree.

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an RFC 3339 date-time, or undefined when it is not one. */
export function parseRfc3339(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const offset = offsetMinutes(m[8] as string);
  if (offset === undefined) return undefined;
  // Sub-millisecond digits are truncated, never rounded up into the next second.
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(1, 4).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), millis);
  const epoch = date.getTime() - offset * 60_000;
  if (second < 60) return epoch;
  // A leap second exists only as 23:59:60 UTC; POSIX time has no slot for it,
  // so it is placed on the following second (keeps the order of instants).
  const utc = new Date(epoch);
  return utc.getUTCHours() === 23 && utc.getUTCMinutes() === 59 ? epoch + 1000 : undefined;
}

export function isRfc3339(text: string): boolean {
  return parseRfc3339(text) !== undefined;
}

/** The canonical form the host writes (UTC, milliseconds, `Z`). */
export function formatRfc3339(epochMs: number): string {
  // Ingress stamps a whole batch with one `now`: format each millisecond once.
  if (epochMs !== lastFormatted.epochMs) {
    lastFormatted.epochMs = epochMs;
    lastFormatted.text = new Date(epochMs).toISOString();
  }
  return lastFormatted.text;
}

// A one-entry cache of a pure function (same input, same text), not shared state anyone can observe.
const lastFormatted = { epochMs: Number.NaN, text: '' };

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function offsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
