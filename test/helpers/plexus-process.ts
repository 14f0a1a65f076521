// `plexus start` as an operator runs it: a child process on free ports with
// its own state dir, its output collected, and the plexus CLI run as separate
// processes against it. Shared by the e2e tests and the CLI's SIGTERM test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/plexus.js');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface PlexusProcess {
  child: ChildProcess;
  adminUrl: string;
  token: string;
  stateDir: string;
  /** Every JSON log line written so far. */
  logs(): LogLine[];
  /** Everything written to stdout (the JSON log) and stderr (startup lines) so far. */
  stdout(): string;
  stderr(): string;
  /** Runs `plexus <args> --admin <url> --state-dir <dir>`; resolves with its exit code and output. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** POST /v1/events with the admin token. */
  emit(event: Record<string, unknown>): Promise<Response>;
  /**
   * Sends `signal` (default SIGTERM) unless it already exited; resolves with the exit code (SIGKILL after 60 s).
   * With `processGroup` (see startPlexus), to the whole group, as a terminal's Ctrl-C or systemd's stop does.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** The host leads a process group of its own (its sandbox process in it), as a shell's foreground job does. */
  processGroup?: boolean;
  /** A config file for --config. */
  config?: string;
}

/** The environment without anything that would point plexus or npm elsewhere. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PLEXUS_|npm_config_)/i.test(key)) env[key] = value;
  }
  return env;
}

export async function startPlexus(stateDir: string, options: StartOptions = {}): Promise<PlexusProcess> {
  const group = options.processGroup === true;
  const config = options.config === undefined ? [] : ['--config', options.config];
  const child = spawn(process.execPath, [BIN, 'start', ...config, '--state-dir', stateDir, '--admin-listen', '127.0.0.1:0', '--listen', '127.0.0.1:0'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const adminUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`plexus start did not come up:\n${stderr.join('')}`)), 60_000);
    // Stays on after the match: stderr() has every line, not just the startup ones.
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr.push(chunk);
      const match = /plexus: admin API on (http:\/\/\S+)\nplexus: admin token /.exec(stderr.join(''));
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1] as string);
      }
    });
    void exit.then((code) => reject(new Error(`plexus start exited with ${code}:\n${stderr.join('')}`)));
  });
  const token = (await readFile(join(stateDir, 'admin-token'), 'utf8')).trim();
  return {
    child,
    adminUrl,
    token,
    stateDir,
    logs: () => stdout.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine),
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
    cli: (...args) => new Promise((resolveRun) => {
      execFile(process.execPath, [BIN, ...args, '--admin', adminUrl, '--state-dir', stateDir], { env: cleanEnv(), timeout: 120_000 }, (err, out, errOut) => {
        resolveRun({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: out, stderr: errOut });
      });
    }),
    emit: (event) => fetch(`${adminUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(event) }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      const timer = setTimeout(() => (group && child.pid !== undefined ? process.kill(-child.pid, 'SIGKILL') : child.kill('SIGKILL')), 60_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
