// Derives the CloudEvent `type` of a delivery (what plugins' `subscribe`
// patterns match, CONTRACT §2/§5) from a constant, a header or the body.
import { PlexusError } from '@plexus/plugin-sdk';
import { isValidEventType, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import { singleHeader, type HeaderRecord } from './headers.ts';
import { compileJsonPath, readJsonPath, type JsonPath } from './json-path.ts';
import type { EventTypeConfig } from './source-config.ts';

export type EventTypeRule =
  | { from: 'fixed'; value: string }
  | { from: 'header'; header: string; prefix: string }
  | { from: 'body'; path: JsonPath; prefix: string };

export interface DeliveryParts {
  headers: HeaderRecord;
  /** The parsed JSON body; undefined for an empty body. */
  body: unknown;
}

/** Config → rule; problems are recorded under `at` so the operator sees which field is wrong. */
export function compileEventTypeRule(config: EventTypeConfig, at: string, problems: FieldProblem[]): EventTypeRule | undefined {
  if (config.from === 'fixed') {
    if (isValidEventType(config.value)) return config;
    problems.push({ path: `${at}.value`, message: 'must be an event type: dot-separated words of letters, digits, _ - :' });
    return undefined;
  }
  const prefix = config.prefix ?? '';
  // The prefix is glued to the derived value, so it must itself begin a valid type.
  if (prefix !== '' && !isValidEventType(`${prefix}x`)) {
    problems.push({ path: `${at}.prefix`, message: 'must start an event type, e.g. "github."' });
  }
  if (config.from === 'header') return { from: 'header', header: config.header, prefix };
  try {
    return { from: 'body', path: compileJsonPath(config.path), prefix };
  } catch (err) {
    problems.push({ path: `${at}.path`, message: (err as Error).message });
    return undefined;
  }
}

/** Pure: the event type of one delivery, or PLEXUS_INVALID_EVENT (HTTP 400) saying what is missing. */
export function deriveEventType(rule: EventTypeRule, parts: DeliveryParts): string {
  if (rule.from === 'fixed') return rule.value;
  let raw: unknown;
  let where: string;
  if (rule.from === 'header') {
    where = `header ${rule.header}`;
    raw = singleHeader(parts.headers, rule.header, 'PLEXUS_INVALID_EVENT', 'event type');
  } else {
    where = `body ${rule.path.text}`;
    raw = readJsonPath(parts.body, rule.path);
  }
  if (typeof raw !== 'string' || raw === '') {
    throw new PlexusError('PLEXUS_INVALID_EVENT', `event type: ${where} is missing or not a string`);
  }
  const type = rule.prefix + raw;
  if (isValidEventType(type)) return type;
  // Echo only a bounded prefix: the value is whatever the sender put there.
  throw new PlexusError('PLEXUS_INVALID_EVENT', `event type from ${where} is not dot-separated words: ${JSON.stringify(raw.slice(0, 80))}`);
}
