// W3C Trace Context lives in the SDK (emitted events continue their cause's
// trace there); the envelope validates with the same parser.
export { childTraceparent, isValidTraceparent, newTraceparent, parseTraceparent } from '@plexus/plugin-sdk/runtime';
export type { RandomBytes, Traceparent } from '@plexus/plugin-sdk/runtime';
