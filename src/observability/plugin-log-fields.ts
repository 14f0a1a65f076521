// A plugin's log fields go on the host's JSON log line at the top level, as
// it logged them (collectors and the author's own queries read them there).
// The keys the host owns on that line stay the host's: pino's own (level,
// time, pid, hostname, name, msg), the plugin's identity (plugin, version)
// and the event the line is about (event, traceparent). Otherwise a plugin
// could log {plugin: 'another', level: 'fatal'} and its line would read, to
// anything that parses the JSON (the last duplicate key wins), as another
// plugin's or the host's. Such a field is kept under a prefixed name instead.
import type { JsonObject } from '@plexus/plugin-sdk';

export const RESERVED_LOG_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'plugin', 'version', 'event', 'traceparent']);

/** `{plugin: 'x'}` is logged as `{field_plugin: 'x'}`. */
export const RENAMED_FIELD_PREFIX = 'field_';

export function pluginLogFields(fields: JsonObject | undefined): Record<string, unknown> {
  // No prototype: a key such as "__proto__" is stored as a field, never as the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  if (fields === undefined) return out;
  for (const [key, value] of Object.entries(fields)) {
    if (!RESERVED_LOG_KEYS.has(key)) {
      out[key] = value;
      continue;
    }
    // The prefixed name may be one of the plugin's own fields too: prefix again rather than lose either.
    let renamed = `${RENAMED_FIELD_PREFIX}${key}`;
    while (Object.hasOwn(fields, renamed) || Object.hasOwn(out, renamed)) renamed = `${RENAMED_FIELD_PREFIX}${renamed}`;
    out[renamed] = value;
  }
  return out;
}
