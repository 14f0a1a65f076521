import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOG, ERROR_CODES, PlexusError, toErrorData } from '../../src/errors.ts';

const root = new URL('../../../', import.meta.url);
const codesIn = (text: string) => new Set(text.match(/PLEXUS_[A-Z_]+/g) ?? []);

test('docs/errors.md documents exactly the catalog codes, each with its status', () => {
  const doc = readFileSync(new URL('docs/errors.md', root), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `(PLEXUS_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual([...rows.keys()].sort(), [...ERROR_CODES].sort());
  for (const code of ERROR_CODES) assert.equal(rows.get(code), ERROR_CATALOG[code].status, code);
  for (const mentioned of codesIn(doc)) assert.ok(ERROR_CODES.includes(mentioned as never), `${mentioned} is mentioned but not in the catalog`);
});

test('every code of CONTRACT §9 is in the catalog', (t) => {
  const contract = new URL('../shared/CONTRACT.md', root);
  if (!existsSync(contract)) return t.skip('../shared/CONTRACT.md is not beside this checkout');
  const section = readFileSync(contract, 'utf8').split('## 9.')[1]?.split('\n## ')[0] ?? '';
  const fixed = codesIn(section);
  assert.ok(fixed.size >= 14);
  for (const code of fixed) assert.ok(ERROR_CODES.includes(code as never), code);
});

test('PlexusError carries its code and status and crosses boundaries as plain data', () => {
  const err = new PlexusError('PLEXUS_NOT_FOUND', 'no such plugin');
  assert.equal(err.status, 404);
  assert.deepEqual(toErrorData(err), { name: 'PlexusError', message: 'no such plugin', code: 'PLEXUS_NOT_FOUND' });
  assert.deepEqual(toErrorData('boom'), { name: 'Error', message: 'boom', code: 'PLEXUS_INTERNAL' });
});
