// `dlq list --limit 0` (the help says 1-1000) and `replay --from 1h --to 2h`
// (from after to) reached the host and came back as failures, exit 1; like
// every other bad argument they are usage errors, exit 2, with no request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, closedPort } from './cli-fixture.ts';

test('a page size out of 1-1000 or a window that ends before it starts is a usage error', async () => {
  // A closed port: if a command tried to connect it would exit 3, not 2.
  const admin = ['--admin', `http://127.0.0.1:${await closedPort()}`, '--token', 'some-token-0123456789'];
  const cases: [string[], RegExp][] = [
    [['dlq', 'list', '--limit', '0'], /--limit must be from 1 to 1000, got 0/],
    [['dlq', 'list', '--limit', '1001'], /--limit must be from 1 to 1000, got 1001/],
    [['dlq', 'list', '--offset', '99999999999999999999'], /--offset must be from 0 to 9007199254740991/],
    [['dlq', 'list', '--from', '1h', '--to', '2h'], /--from must be before --to/],
    [['dlq', 'purge', '--from', '2024-05-02T00:00:00Z', '--to', '2024-05-01T00:00:00Z'], /--from must be before --to/],
    [['dlq', 'replay', '--from', '1714521600000', '--to', '1714521600000'], /--from must be before --to/],
    [['replay', '--from', '1h', '--to', '2h'], /--from must be before --to/],
  ];
  for (const [argv, message] of cases) {
    const result = await cli([...argv, ...admin]);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, argv.join(' '));
    assert.equal(result.stderr.split('\n').length, 1, argv.join(' '));
  }
});

test('the edges of the ranges still reach the host', async () => {
  const admin = ['--admin', `http://127.0.0.1:${await closedPort()}`, '--token', 'some-token-0123456789'];
  for (const argv of [['dlq', 'list', '--limit', '1'], ['dlq', 'list', '--limit', '1000', '--offset', '0'], ['replay', '--from', '2h', '--to', '1h']]) {
    const result = await cli([...argv, ...admin]);
    assert.equal(result.code, 3, `${argv.join(' ')}: ${result.stderr}`);
  }
});
