// Events for the plugin tests, validated and normalised exactly as ingress does it.
import { randomUUID } from 'node:crypto';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { normalizeEnvelope, validateEnvelope } from '../../src/envelope/index.ts';

export function orderEvent(id: string = randomUUID(), type = 'orders.created'): PlexusEvent {
  return normalizeEnvelope(validateEnvelope({ specversion: '1.0', id, source: 'test', type, data: { id } }), Date.now());
}
