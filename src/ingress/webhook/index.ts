// Webhook ingress, verification layer. The HTTP route (POST /hooks/:source,
// CONTRACT §7, in ./http/) parses sources once at startup with
// parseWebhookSources, then per request calls verifyWebhookDelivery with the
// raw body Buffer and maps PlexusError.status to the response (401, 409, 413, 400).
export { parseWebhookSources, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPLAY_WINDOW_SEC } from './parse-sources.ts';
export type { ParseWebhookSourcesOptions } from './parse-sources.ts';
export { WEBHOOK_SOURCES_SCHEMA, WEBHOOK_SOURCE_SCHEMA } from './source-schema.ts';
export type * from './source-config.ts';
export { verifyWebhookDelivery, parseJsonBody } from './verify-delivery.ts';
export type { VerifiedWebhook } from './verify-delivery.ts';
export { ReplayGuard } from './replay-guard.ts';
export type { ReplayStore } from './replay-guard.ts';
export { InMemoryReplayStore } from './memory-replay-store.ts';
export type { InMemoryReplayStoreOptions } from './memory-replay-store.ts';
export { StoreReplayStore } from './store-replay-store.ts';
export { deriveEventType } from './event-type.ts';
export type { EventTypeRule, DeliveryParts } from './event-type.ts';
export { extractDeliveryId, DEFAULT_DELIVERY_ID } from './delivery-id.ts';
export type { DeliveryIdRule } from './delivery-id.ts';
export { headerValues } from './headers.ts';
export type { HeaderRecord } from './headers.ts';
export { signatureScheme, createSignatureVerifier } from './signatures/registry.ts';
export type { SignatureVerifier, VerifiedDelivery, WebhookRequest } from './signatures/verifier.ts';
