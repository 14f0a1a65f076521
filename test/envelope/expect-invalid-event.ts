// Asserts a PLEXUS_INVALID_EVENT refusal that names `path` among its problems.
import assert from 'node:assert/strict';
import { PlexusError } from '@plexus/plugin-sdk';

export function assertInvalidEvent(run: () => unknown, path: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof PlexusError, 'a PlexusError');
    assert.equal(err.code, 'PLEXUS_INVALID_EVENT');
    assert.equal(err.status, 400);
    const problems = (err.details?.problems ?? []) as { path: string; message: string }[];
    assert.ok(problems.some((p) => p.path === path), `names "${path}" in ${JSON.stringify(problems)}`);
    assert.match(err.message, new RegExp(`(^|\\W)${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`));
    return true;
  });
}
