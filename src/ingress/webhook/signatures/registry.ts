// Scheme name → how to decode its secrets and build its verifier. Adding a
// scheme = one file in this folder + one entry here + its schema branch.
import type { FieldProblem } from '@plexus/plugin-sdk/runtime';
import type {
  GithubSignatureConfig,
  HmacSignatureConfig,
  NoneSignatureConfig,
  StandardWebhooksSignatureConfig,
  StripeSignatureConfig,
} from '../source-config.ts';
import { createGithubVerifier } from './github.ts';
import { compileSignedPayload, createHmacVerifier, decodeUtf8Secret, HMAC_TOLERANCE_SEC } from './hmac.ts';
import { createNoneVerifier } from './none.ts';
import { createStandardWebhooksVerifier, decodeStandardWebhooksSecret, STANDARD_WEBHOOKS_TOLERANCE_SEC } from './standard-webhooks.ts';
import { createStripeVerifier, STRIPE_TOLERANCE_SEC } from './stripe.ts';
import type { SignatureVerifier } from './verifier.ts';

interface SchemeEntry<C> {
  /** Secret text → key bytes; throws an Error whose message never contains the secret. */
  decodeSecret(secret: string): Buffer;
  /** The verifier, or undefined after recording option problems under `at`. */
  create(config: C, at: string, problems: FieldProblem[]): SignatureVerifier | undefined;
  /** Tolerance of the signed timestamp in seconds; undefined when the scheme signs none. */
  toleranceSec(config: C): number | undefined;
}

interface SchemeConfigs {
  'standard-webhooks': StandardWebhooksSignatureConfig;
  github: GithubSignatureConfig;
  stripe: StripeSignatureConfig;
  hmac: HmacSignatureConfig;
  none: NoneSignatureConfig;
}

const NOT_SECRET_BEARING = (): Buffer => {
  throw new Error('the none scheme takes no secrets');
};

const SCHEMES: { [S in keyof SchemeConfigs]: SchemeEntry<SchemeConfigs[S]> } = {
  'standard-webhooks': {
    decodeSecret: decodeStandardWebhooksSecret,
    create: (c) => createStandardWebhooksVerifier({ toleranceSec: c.toleranceSec ?? STANDARD_WEBHOOKS_TOLERANCE_SEC }),
    toleranceSec: (c) => c.toleranceSec ?? STANDARD_WEBHOOKS_TOLERANCE_SEC,
  },
  github: { decodeSecret: decodeUtf8Secret, create: () => createGithubVerifier(), toleranceSec: () => undefined },
  stripe: {
    decodeSecret: decodeUtf8Secret,
    create: (c) => createStripeVerifier({ toleranceSec: c.toleranceSec ?? STRIPE_TOLERANCE_SEC }),
    toleranceSec: (c) => c.toleranceSec ?? STRIPE_TOLERANCE_SEC,
  },
  hmac: { decodeSecret: decodeUtf8Secret, create: createGenericHmac, toleranceSec: (c) => (c.timestampHeader ? (c.toleranceSec ?? HMAC_TOLERANCE_SEC) : undefined) },
  none: { decodeSecret: NOT_SECRET_BEARING, create: () => createNoneVerifier(), toleranceSec: () => undefined },
};

/** The registry entry for a scheme; generic so a config narrows to its own entry's option type. */
export function signatureScheme<S extends keyof SchemeConfigs>(scheme: S): SchemeEntry<SchemeConfigs[S]> {
  return SCHEMES[scheme];
}

export function createSignatureVerifier<S extends keyof SchemeConfigs>(
  config: SchemeConfigs[S] & { scheme: S },
  at: string,
  problems: FieldProblem[],
): SignatureVerifier | undefined {
  return signatureScheme(config.scheme).create(config, at, problems);
}

export function signatureToleranceSec<S extends keyof SchemeConfigs>(config: SchemeConfigs[S] & { scheme: S }): number | undefined {
  return signatureScheme(config.scheme).toleranceSec(config);
}

function createGenericHmac(config: HmacSignatureConfig, at: string, problems: FieldProblem[]): SignatureVerifier | undefined {
  const hasTimestamp = config.timestampHeader !== undefined;
  try {
    const signedPayload = compileSignedPayload(config.signedPayload ?? (hasTimestamp ? '{timestamp}.{body}' : '{body}'), hasTimestamp);
    return createHmacVerifier({
      header: config.header,
      algorithm: config.algorithm ?? 'sha256',
      encoding: config.encoding ?? 'hex',
      prefix: config.prefix ?? '',
      timestamp: config.timestampHeader === undefined ? undefined : { header: config.timestampHeader, toleranceSec: config.toleranceSec ?? HMAC_TOLERANCE_SEC },
      signedPayload,
    });
  } catch (err) {
    problems.push({ path: `${at}.signedPayload`, message: (err as Error).message });
    return undefined;
  }
}
