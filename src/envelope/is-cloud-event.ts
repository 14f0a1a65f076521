// Ingress must tell a CloudEvent body (validated as such) from any other body
// (wrapped). `specversion` is the one attribute only a CloudEvent has, so its
// presence decides: a body that claims to be a CloudEvent and is malformed is
// refused, never silently wrapped.
import { isPlainObject } from './validate-envelope.ts';

export function isCloudEvent(body: unknown): body is Record<string, unknown> {
  return isPlainObject(body) && Object.hasOwn(body, 'specversion');
}
