import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigValidators, validatePluginConfig } from '../../src/manifest/config.ts';

test('compiled config validators are reused for the same schema, still apply defaults and name failures', () => {
  const validators = new ConfigValidators();
  const schema = { type: 'object', properties: { currency: { type: 'string', default: 'EUR' } }, additionalProperties: false };
  assert.equal(validators.get(schema), validators.get(structuredClone(schema)), 'same schema text, same compiled validator');
  assert.deepEqual(validatePluginConfig('p', schema, {}, validators), { currency: 'EUR' });
  assert.throws(() => validatePluginConfig('p', schema, { other: 1 }, validators), /config\.other is not a known field/);
  assert.deepEqual(validatePluginConfig('p', schema, { currency: 'GBP' }, validators), { currency: 'GBP' });
});

test('schemas of different plugins that reuse one $id never see each other', () => {
  const validators = new ConfigValidators();
  const a = { $id: 'https://example.com/config', type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
  const b = { $id: 'https://example.com/config', type: 'object', properties: { s: { type: 'string' } }, required: ['s'] };
  assert.deepEqual(validatePluginConfig('a', a, { n: 1 }, validators), { n: 1 });
  assert.deepEqual(validatePluginConfig('b', b, { s: 'x' }, validators), { s: 'x' });
  assert.throws(() => validatePluginConfig('b', b, { n: 1 }, validators), /config\.s is required/);
});
