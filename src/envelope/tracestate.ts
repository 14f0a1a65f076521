// W3C Trace Context, tracestate limits: a header may carry up to 32
// list-members, and a vendor SHOULD propagate at least 512 characters of it.
// An event keeps at most 512 (the envelope schema's limit), so a longer header
// is truncated the way the spec says, not refused: tracing metadata must never
// make a webhook fail or a broker message go to the dead-letter exchange.
// Members over 128 characters go first, then members from the end.

export const TRACESTATE_MAX_CHARS = 512;
const LARGE_MEMBER_CHARS = 128;
const MAX_MEMBERS = 32;

/** `value` as an event may carry it: unchanged when it fits, truncated by the spec's rule, or undefined (nothing left, or over 32 members). */
export function fittedTracestate(value: string): string | undefined {
  if (value.length <= TRACESTATE_MAX_CHARS) return value;
  const members = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
  // "If the tracestate value has more than 32 list-members, the parser MAY discard the whole tracestate."
  if (members.length > MAX_MEMBERS) return undefined;
  const kept = members.filter((m) => m.length <= LARGE_MEMBER_CHARS);
  while (kept.length > 0 && kept.join(',').length > TRACESTATE_MAX_CHARS) kept.pop();
  return kept.length === 0 ? undefined : kept.join(',');
}
