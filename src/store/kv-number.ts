// Plugin kv `incr` rules (the JSON number grammar, double addition, its
// refusals) live in the SDK, so the host's stores and the test harness's kv
// that plugin authors test against accept exactly the same values.
export { incrementJsonNumber, parseJsonNumber } from '@plexus/plugin-sdk/runtime';
