// Webhook sources config → ready WebhookSource objects. The schema catches
// shapes; the code then checks what a schema cannot (secrets decode, env
// references resolve, paths and templates compile, replay window vs
// tolerance). All problems are gathered and reported together, by path.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { PlexusError } from '@plexus/plugin-sdk';
import { createAjv, describeAjvErrors, formatProblems, jsonPointerToPath, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import { compileDeliveryIdRule, DEFAULT_DELIVERY_ID } from './delivery-id.ts';
import { resolveEnvRefs, type EnvMap } from './env-refs.ts';
import { compileEventTypeRule } from './event-type.ts';
import { createSignatureVerifier, signatureScheme, signatureToleranceSec } from './signatures/registry.ts';
import type { WebhookSource, WebhookSourceConfig, WebhookSourcesConfig } from './source-config.ts';
import { WEBHOOK_SOURCES_SCHEMA } from './source-schema.ts';

export interface ParseWebhookSourcesOptions {
  /** Where `${NAME}` in secrets is looked up; pass process.env in the host. */
  env: EnvMap;
  /** Path prefix in error messages; default `webhooks`. */
  root?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_REPLAY_WINDOW_SEC = 86_400;
/** Names appear in URLs (/hooks/:source) and replay keys (`webhook:<name>:<id>`), so no `/`, `:` or spaces. */
const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const validate = createAjv().compile(WEBHOOK_SOURCES_SCHEMA);

/** Throws PLEXUS_INVALID_REQUEST naming every failing path; secret values never appear in the message. */
export function parseWebhookSources(raw: unknown, options: ParseWebhookSourcesOptions): ReadonlyMap<string, WebhookSource> {
  const root = options.root ?? 'webhooks';
  if (!validate(raw)) {
    // `if` errors only say "must match then"; the branch's own errors name the field.
    fail(describeAjvErrors(validate.errors?.filter((e) => e.keyword !== 'if'), root));
  }
  const problems: FieldProblem[] = [];
  const sources = new Map<string, WebhookSource>();
  for (const [name, config] of Object.entries(raw as WebhookSourcesConfig)) {
    const at = jsonPointerToPath(`/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, root);
    if (!SOURCE_NAME.test(name)) {
      problems.push({ path: at, message: 'source name must be 1-64 letters, digits, _ or -, starting with a letter or digit' });
      continue;
    }
    const source = buildSource(name, config, at, options.env, problems);
    if (source) sources.set(name, source);
  }
  if (problems.length > 0) fail(problems);
  return sources;
}

function buildSource(name: string, config: WebhookSourceConfig, at: string, env: EnvMap, problems: FieldProblem[]): WebhookSource | undefined {
  const problemsBefore = problems.length;
  const signature = config.signature;
  const scheme = signatureScheme(signature.scheme);
  const secrets = 'secrets' in signature ? signature.secrets : [];
  const keys: KeyObject[] = [];
  secrets.forEach((secret, i) => {
    try {
      const resolved = resolveEnvRefs(secret, env);
      // A stray newline from a secrets file would silently become key bytes and fail every delivery.
      if (resolved !== resolved.trim()) throw new Error('has leading or trailing whitespace');
      keys.push(createSecretKey(scheme.decodeSecret(resolved)));
    } catch (err) {
      problems.push({ path: `${at}.signature.secrets[${i}]`, message: (err as Error).message });
    }
  });
  const verifier = createSignatureVerifier(signature, `${at}.signature`, problems);
  const type = compileEventTypeRule(config.type, `${at}.type`, problems);
  const deliveryId = compileDeliveryIdRule(config.deliveryId ?? DEFAULT_DELIVERY_ID[signature.scheme], `${at}.deliveryId`, problems);
  const replayWindowSec = config.replayWindowSec ?? DEFAULT_REPLAY_WINDOW_SEC;
  const toleranceSec = signatureToleranceSec(signature);
  // A delivery is acceptable for ±tolerance; forgetting its id sooner reopens the replay.
  if (deliveryId && toleranceSec !== undefined && replayWindowSec < 2 * toleranceSec) {
    problems.push({ path: `${at}.replayWindowSec`, message: `must be at least ${2 * toleranceSec} (twice the signature tolerance)` });
  }
  if (!verifier || !type || problems.length > problemsBefore) return undefined;
  // Tolerance counts whole seconds (now is floored, as the official libraries
  // do), so a delivery stays acceptable for 2 * tolerance + 1 s: from the first
  // millisecond of second ts - tolerance to the last of second ts + tolerance.
  // A claim shorter than that expires while the delivery can still be replayed.
  const claimSec = toleranceSec === undefined ? replayWindowSec : Math.max(replayWindowSec, 2 * toleranceSec + 1);
  const frozenKeys: readonly KeyObject[] = Object.freeze(keys);
  return Object.freeze({
    name,
    scheme: signature.scheme,
    type,
    deliveryId,
    maxBodyBytes: config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    rateLimit: config.rateLimit,
    replayWindowMs: claimSec * 1000,
    verifySignature: (request, now) => verifier.verify(request, frozenKeys, now),
  } satisfies WebhookSource);
}

function fail(problems: FieldProblem[]): never {
  throw new PlexusError('PLEXUS_INVALID_REQUEST', `Invalid webhook sources config: ${formatProblems(problems)}`, { details: { problems } });
}
