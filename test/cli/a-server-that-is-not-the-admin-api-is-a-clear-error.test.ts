// --admin pointed at some other web server on that port: a 200 with a page
// (or JSON that is no admin answer) used to reach the command as its data and
// end in "Cannot read properties of undefined (reading 'entries')".
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { cli } from './cli-fixture.ts';

const ANSWERS = [
  { type: 'text/html', body: '<html><body>It works!</body></html>' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: 'null' },
  { type: 'text/plain', body: '' },
];

test('every command says the answer is not from a Plexus admin API, exit 1', async () => {
  for (const answer of ANSWERS) {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': answer.type });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const admin = ['--admin', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--token', 'some-token-0123456789'];
    try {
      for (const argv of [['plugins'], ['dlq', 'list'], ['dlq', 'show', 'x'], ['emit', 'a.b'], ['replay', '--from', '1h'], ['dlq', 'purge', '--all'], ['uninstall', 'p']]) {
        const result = await cli([...argv, ...admin]);
        const what = `${argv.join(' ')} answered ${JSON.stringify(answer.body)}`;
        assert.equal(result.code, 1, `${what}: ${result.stderr}`);
        assert.match(result.stderr, /^plexus: unexpected answer from http:\/\/127\.0\.0\.1:\d+: HTTP 200.*\(is that a Plexus admin API\?\)$/s, what);
        assert.equal(result.stdout, '', what);
      }
    } finally {
      server.close();
    }
  }
});
