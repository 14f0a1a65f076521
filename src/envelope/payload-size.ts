// Size limits on events and emitted payloads, measured the way they travel
// and are stored: UTF-8 bytes of the JSON serialisation.
import { PlexusError } from '@plexus/plugin-sdk';

export function serializedByteLength(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
}

/** Returns the size in bytes, or throws PLEXUS_PAYLOAD_TOO_LARGE when it exceeds `maxBytes`. */
export function assertSerializedSize(value: unknown, maxBytes: number, what = 'event'): number {
  const bytes = serializedByteLength(value);
  if (bytes > maxBytes) {
    throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `The ${what} is ${bytes} bytes serialized; the limit is ${maxBytes}`, {
      details: { what, bytes, maxBytes },
    });
  }
  return bytes;
}
