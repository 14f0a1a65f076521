// `none`: no signature at all. Only for trusted internal senders on a network
// the operator controls; it exists so that choice is explicit in the config
// (scheme: "none") instead of being the silent result of a missing secret.
import type { SignatureVerifier } from './verifier.ts';

export function createNoneVerifier(): SignatureVerifier {
  return {
    scheme: 'none',
    verify() {
      return {};
    },
  };
}
