// Where a delivery's id comes from, for replay protection. Defaults follow
// each scheme: Standard Webhooks signs `webhook-id`, GitHub sends
// `X-GitHub-Delivery`, a Stripe event carries its `id` in the body. Generic
// HMAC and `none` have no convention, so they dedup only when configured.
import { PlexusError } from '@plexus/plugin-sdk';
import type { FieldProblem } from '@plexus/plugin-sdk/runtime';
import type { DeliveryParts } from './event-type.ts';
import { singleHeader } from './headers.ts';
import { compileJsonPath, readJsonPath, type JsonPath } from './json-path.ts';
import type { DeliveryIdConfig, SignatureSchemeName } from './source-config.ts';

export type DeliveryIdRule = { from: 'header'; header: string } | { from: 'body'; path: JsonPath };

/** Bounds what one delivery can make the replay store remember. */
export const MAX_DELIVERY_ID_LENGTH = 256;

export const DEFAULT_DELIVERY_ID: Readonly<Record<SignatureSchemeName, DeliveryIdConfig>> = {
  'standard-webhooks': { from: 'header', header: 'webhook-id' },
  github: { from: 'header', header: 'X-GitHub-Delivery' },
  stripe: { from: 'body', path: '$.id' },
  hmac: { from: 'none' },
  none: { from: 'none' },
};

/** Undefined for `none` (no replay protection) or when a problem was recorded under `at`. */
export function compileDeliveryIdRule(config: DeliveryIdConfig, at: string, problems: FieldProblem[]): DeliveryIdRule | undefined {
  if (config.from === 'none') return undefined;
  if (config.from === 'header') return config;
  try {
    return { from: 'body', path: compileJsonPath(config.path) };
  } catch (err) {
    problems.push({ path: `${at}.path`, message: (err as Error).message });
    return undefined;
  }
}

/** Pure: the delivery id, or PLEXUS_INVALID_REQUEST: a source that dedups must not let id-less deliveries bypass it. */
export function extractDeliveryId(rule: DeliveryIdRule, parts: DeliveryParts): string {
  const where = rule.from === 'header' ? `header ${rule.header}` : `body ${rule.path.text}`;
  const raw =
    rule.from === 'header'
      ? singleHeader(parts.headers, rule.header, 'PLEXUS_INVALID_REQUEST', 'delivery id')
      : readJsonPath(parts.body, rule.path);
  // Some senders use numeric ids; integers have one canonical text form, so they are safe keys.
  const id = typeof raw === 'string' ? raw : Number.isSafeInteger(raw) ? String(raw) : undefined;
  if (id === undefined || id === '') throw new PlexusError('PLEXUS_INVALID_REQUEST', `delivery id: ${where} is missing`);
  if (id.length > MAX_DELIVERY_ID_LENGTH) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `delivery id: ${where} is longer than ${MAX_DELIVERY_ID_LENGTH} characters`);
  }
  return id;
}
