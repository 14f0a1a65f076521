// What several fetch tests share: awaiting a refusal and getting its PlexusError.
import assert from 'node:assert/strict';
import { PlexusError } from '../../src/errors.ts';

export async function rejection(promise: Promise<unknown>): Promise<PlexusError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PlexusError, `expected a PlexusError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the fetch to be refused');
}
