// A webhook source as the operator writes it (mirrored by source-schema.ts)
// and as the ingress uses it once parsed (WebhookSource). Sources are keyed by
// name: POST /hooks/:source (CONTRACT §7), CloudEvent source `webhook/<name>`.
import type { DeliveryIdRule } from './delivery-id.ts';
import type { EventTypeRule } from './event-type.ts';
import type { HashAlgorithm, SignatureEncoding, VerifiedDelivery, WebhookRequest } from './signatures/verifier.ts';

/** Secrets may be literals or contain `${ENV_NAME}`, resolved at parse time. Several = rotation. */
type Secrets = { secrets: string[] };

export type StandardWebhooksSignatureConfig = Secrets & { scheme: 'standard-webhooks'; toleranceSec?: number };
export type GithubSignatureConfig = Secrets & { scheme: 'github' };
export type StripeSignatureConfig = Secrets & { scheme: 'stripe'; toleranceSec?: number };
export type HmacSignatureConfig = Secrets & {
  scheme: 'hmac';
  header: string;
  /** Default sha256. */
  algorithm?: HashAlgorithm;
  /** Default hex. */
  encoding?: SignatureEncoding;
  /** Text before the digest, e.g. `sha256=`. Default none. */
  prefix?: string;
  /** When set, the timestamp is signed and checked against toleranceSec (default 300). */
  timestampHeader?: string;
  toleranceSec?: number;
  /** `{body}` and `{timestamp}` placeholders; default `{timestamp}.{body}` with a timestamp, else `{body}`. */
  signedPayload?: string;
};
/** Unsigned: for trusted internal senders only, and only when written out explicitly. */
export type NoneSignatureConfig = { scheme: 'none' };

export type SignatureConfig =
  | StandardWebhooksSignatureConfig
  | GithubSignatureConfig
  | StripeSignatureConfig
  | HmacSignatureConfig
  | NoneSignatureConfig;
export type SignatureSchemeName = SignatureConfig['scheme'];

/** How the event `type` is found: a constant, a header (`X-GitHub-Event`), or a JSON path into the body. */
export type EventTypeConfig =
  | { from: 'fixed'; value: string }
  | { from: 'header'; header: string; prefix?: string }
  | { from: 'body'; path: string; prefix?: string };

/** Where the delivery id for replay protection is; each scheme has a default (see delivery-id.ts). */
export type DeliveryIdConfig = { from: 'header'; header: string } | { from: 'body'; path: string } | { from: 'none' };

/** Carried for the HTTP route's limiter; not enforced here. */
export interface RateLimitConfig {
  perSecond: number;
  burst: number;
}

export interface WebhookSourceConfig {
  signature: SignatureConfig;
  type: EventTypeConfig;
  deliveryId?: DeliveryIdConfig;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  rateLimit?: RateLimitConfig;
  /** How long delivery ids are remembered. Default 24 h; at least twice the signature tolerance. */
  replayWindowSec?: number;
}

export type WebhookSourcesConfig = Record<string, WebhookSourceConfig>;

/** A parsed, ready source. Its keys live only inside verifySignature's closure, so logging a source cannot leak them. */
export interface WebhookSource {
  readonly name: string;
  readonly scheme: SignatureSchemeName;
  readonly type: EventTypeRule;
  readonly deliveryId: DeliveryIdRule | undefined;
  readonly maxBodyBytes: number;
  readonly rateLimit: RateLimitConfig | undefined;
  readonly replayWindowMs: number;
  verifySignature(request: WebhookRequest, now: number): VerifiedDelivery;
}
