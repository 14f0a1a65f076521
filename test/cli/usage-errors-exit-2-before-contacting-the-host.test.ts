import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, closedPort } from './cli-fixture.ts';

test('help is printed on stdout with exit 0; no command at all is a usage error', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: plexus <command>/);
  for (const command of ['start', 'emit', 'dlq', 'replay']) assert.match(help.stdout, new RegExp(`\\n  ${command} `));
  assert.match((await cli(['help', 'emit'])).stdout, /Usage: plexus emit <type>/);
  assert.match((await cli(['dlq', 'purge', '--help'])).stdout, /Usage: plexus dlq purge/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: plexus/);
});

test('bad arguments exit 2 with one clear line, and never reach the network', async () => {
  // A closed port: if a command tried to connect it would exit 3, not 2.
  const admin = ['--admin', `http://127.0.0.1:${await closedPort()}`, '--token', 't'];
  const cases: [string[], RegExp][] = [
    [['launch'], /unknown command "launch"/],
    [['emit'], /missing the event <type>/],
    [['emit', 'a.b', '{not json'], /\[json\] is not valid JSON/],
    [['emit', 'a.b', '--priority', '12'], /--priority must be an integer 0-9/],
    [['emit', 'a.b', '--colour', 'red'], /Unknown option '--colour'/],
    [['emit', 'a.b', '1', 'extra'], /unexpected argument "extra"/],
    [['dlq'], /missing the subcommand/],
    [['dlq', 'wipe'], /unknown subcommand "wipe"/],
    [['dlq', 'show'], /missing the entry <id>/],
    [['dlq', 'list', '--reason', 'bored'], /--reason must be one of permanent, exhausted, expired, invalid/],
    [['dlq', 'list', '--from', 'last week'], /--from must be RFC 3339/],
    [['dlq', 'list', '--limit', 'ten'], /--limit must be a whole number/],
    [['dlq', 'replay'], /give <id>, filters or --all/],
    [['dlq', 'replay', 'abc', '--all'], /give only one of <id>, filters or --all/],
    [['dlq', 'replay', 'abc', '--plugin', 'p'], /give only one of/],
    [['dlq', 'purge'], /give filters or --all/],
    [['dlq', 'purge', '--all', '--type', 'a.b'], /give only one of filters or --all/],
    [['dlq', 'purge', 'abc'], /unexpected argument "abc"/],
    [['replay'], /missing --from/],
    [['replay', '--from', 'the dawn of time'], /--from must be RFC 3339/],
    [['replay', '--from', '1h', '--to', 'later'], /--to must be RFC 3339/],
  ];
  for (const [argv, message] of cases) {
    const result = await cli([...argv, ...admin]);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^plexus: /);
    assert.match(result.stderr, message, argv.join(' '));
    assert.equal(result.stderr.split('\n').length, 1, argv.join(' '));
  }
});

test('a token that cannot be sent in a header is a usage error, not an unreachable host', async () => {
  for (const token of ['tökén-€', 'two\nlines', 'with space']) {
    const result = await cli(['plugins', '--admin', `http://127.0.0.1:${await closedPort()}`, '--token', token]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the admin token must be visible ASCII characters without spaces/);
  }
});

test('--admin must be an http(s) URL', async () => {
  const result = await cli(['dlq', 'list', '--admin', 'ftp://host', '--token', 't']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--admin must be an http\(s\) URL/);
});

test('start refuses an invalid config with exit 1 and the failing path', async () => {
  const result = await cli(['start', '--admin-listen', 'nowhere']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^plexus: PLEXUS_INVALID_CONFIG: Invalid config: adminListen must be host:port.*\(from --admin-listen\)/);
});
