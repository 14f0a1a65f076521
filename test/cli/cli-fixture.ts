// Runs the CLI in-process with a recording CliIo, and an admin API on a real
// socket around a FakeHost for the commands to talk to.
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.ts';
import type { EnvMap } from '../../src/config/env-references.ts';
import type { CliIo, ProgressTerminal } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { TOKEN } from '../admin/admin-fixture.ts';
import { FakeHost } from '../admin/fake-host.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `terminal`: stderr as a TTY would be (progress is drawn only there); default: not a terminal. */
export async function cli(argv: string[], options: { env?: EnvMap; cwd?: string; terminal?: ProgressTerminal } = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), stdout: (t) => out.push(t), stderr: (t) => err.push(t), stderrTerminal: options.terminal };
  const code = await runCli(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

export interface RunningAdmin {
  host: FakeHost;
  server: AdminServer;
  /** --admin and --token, ready to append. */
  flags: string[];
}

export async function runningAdmin(): Promise<RunningAdmin> {
  const host = new FakeHost();
  const server = await startAdminServer({ host, config: { adminListen: { host: '127.0.0.1', port: 0 } }, logger: new RecordingLogger(), token: TOKEN });
  return { host, server, flags: ['--admin', server.url, '--token', TOKEN] };
}

/**
 * One running admin for a whole test file: started before its tests, closed
 * after them. Call it at the top level of the file; what it returns reads the
 * running admin, so use it inside the tests and their hooks.
 */
export function runningAdminAroundTheseTests(): RunningAdmin {
  let admin: RunningAdmin | undefined;
  before(async () => {
    admin = await runningAdmin();
  });
  after(async () => {
    await admin?.server.close();
  });
  const started = (): RunningAdmin => {
    if (!admin) throw new Error('the admin starts in before(): use it inside a test');
    return admin;
  };
  return {
    get host() { return started().host; },
    get server() { return started().server; },
    get flags() { return started().flags; },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
