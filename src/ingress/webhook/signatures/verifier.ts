// The contract every signature scheme implements, and the primitives they
// share. Every check runs over the raw body bytes: parsing and re-serialising
// JSON before verifying is the classic webhook bug (seed 004's sample does it).
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { PlexusError } from '@plexus/plugin-sdk';
import { singleHeader, type HeaderRecord } from '../headers.ts';

export interface WebhookRequest {
  headers: HeaderRecord;
  /** The body exactly as received; never a re-encoded string. */
  rawBody: Buffer;
}

/**
 * A decoded secret. Sources hold KeyObjects (parse-sources.ts): createHmac
 * with one skips re-importing the key bytes on every request (about 4x
 * cheaper than a Buffer key per HMAC), and the bytes never sit in a plain
 * Buffer that a stray log line could print. Buffers are accepted as well.
 */
export type HmacKey = KeyObject | Buffer;

/** What a verifier vouches for once a signature matched. */
export interface VerifiedDelivery {
  /** The delivery id the signature covers (Standard Webhooks signs it). */
  deliveryId?: string;
  /** The signed timestamp, unix seconds, when the scheme has one. */
  timestamp?: number;
}

export interface SignatureVerifier {
  readonly scheme: string;
  /**
   * Accepts when any entry of `keys` produced a signature in the request
   * (several keys = secret rotation). `now` is epoch milliseconds, injected so
   * tolerance checks are testable. Throws PLEXUS_BAD_SIGNATURE otherwise.
   */
  verify(request: WebhookRequest, keys: readonly HmacKey[], now: number): VerifiedDelivery;
}

export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export function badSignature(scheme: string, message: string): PlexusError {
  return new PlexusError('PLEXUS_BAD_SIGNATURE', `${scheme}: ${message}`);
}

export function requireHeader(request: WebhookRequest, name: string, scheme: string): string {
  const value = singleHeader(request.headers, name, 'PLEXUS_BAD_SIGNATURE', scheme);
  if (value === undefined) throw badSignature(scheme, `missing header ${name}`);
  return value;
}

/** HMAC over the concatenation of `parts`; strings are UTF-8, Buffers are taken byte for byte. */
export function hmac(algorithm: HashAlgorithm, key: HmacKey, parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * True when any candidate equals any expected digest. timingSafeEqual throws
 * on unequal lengths, and the length of a digest is public anyway, so the
 * length check first is both required and safe.
 */
function anyMatch(expected: readonly Buffer[], candidates: readonly Buffer[]): boolean {
  for (const digest of expected) {
    for (const candidate of candidates) {
      if (candidate.length === digest.length && timingSafeEqual(candidate, digest)) return true;
    }
  }
  return false;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Signature text → bytes, or undefined when it is not well-formed in `encoding` (Buffer.from would silently skip bad characters). */
export function decodeSignature(text: string, encoding: SignatureEncoding): Buffer | undefined {
  const ok = encoding === 'hex' ? HEX.test(text) : text.length > 0 && BASE64.test(text);
  return ok ? Buffer.from(text, encoding) : undefined;
}

/** A decimal unix-seconds timestamp; anything else (signs, exponents, spaces) is malformed. */
export function parseUnixSeconds(text: string, scheme: string, what: string): number {
  if (!/^\d{1,12}$/.test(text)) throw badSignature(scheme, `malformed ${what}: expected unix seconds`);
  return Number(text);
}

/**
 * Refuses timestamps outside ±toleranceSec of now, naming which side failed.
 * Whole seconds, as the official libraries count (exactly ±toleranceSec passes).
 * Written to fail closed: every comparison with NaN is false, so a clock or
 * tolerance that is not a number must not skip both range checks.
 */
export function checkTolerance(timestampSec: number, nowMs: number, toleranceSec: number, scheme: string): void {
  const ageSec = Math.floor(nowMs / 1000) - timestampSec;
  if (ageSec <= toleranceSec && -ageSec <= toleranceSec) return;
  if (!Number.isFinite(ageSec) || !Number.isFinite(toleranceSec)) {
    throw badSignature(scheme, 'timestamp cannot be checked: the clock or the tolerance is not a number');
  }
  if (ageSec > toleranceSec) {
    throw badSignature(scheme, `expired: timestamp is ${ageSec} s old, beyond the ${toleranceSec} s tolerance`);
  }
  if (-ageSec > toleranceSec) {
    throw badSignature(scheme, `timestamp is ${-ageSec} s in the future, beyond the ${toleranceSec} s tolerance`);
  }
}

/** Throws unless a candidate signature equals the digest of one of the configured keys. */
export function requireMatch(scheme: string, expected: readonly Buffer[], candidates: readonly Buffer[]): void {
  if (!anyMatch(expected, candidates)) throw badSignature(scheme, 'no matching signature for any configured secret');
}
