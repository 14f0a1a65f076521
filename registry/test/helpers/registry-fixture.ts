// A real registry on a loopback port 0 with its own temp storage, per test file.
import type { ChildProcessByStdio, ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before } from 'node:test';
import { startRegistry, type RunningRegistry, type StartOptions } from '../../src/index.ts';
import { npmClient, type NpmClient } from './npm-cli.ts';

export const TOKEN = 'test-token-0123456789abcdef';

export interface RegistryFixture {
  registry: RunningRegistry;
  url: string;
  /** A temp dir for the test's own files; removed by close(). */
  dir: string;
  storage: string;
  close(): Promise<void>;
}

export async function startFixture(options: Partial<StartOptions> = {}): Promise<RegistryFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-test-'));
  const storage = join(dir, 'storage');
  const registry = await startRegistry({ port: 0, host: '127.0.0.1', storage, tokens: [TOKEN], ...options });
  return {
    registry,
    url: registry.url,
    dir,
    storage,
    async close() {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface NpmFixture extends RegistryFixture {
  /** The real npm CLI, configured for this registry with TOKEN. */
  npm: NpmClient;
}

export async function startNpmFixture(): Promise<NpmFixture> {
  const fx = await startFixture();
  return { ...fx, npm: await npmClient(join(fx.dir, 'npm'), fx.url, TOKEN) };
}

/**
 * Starts an NpmFixture before the current suite and closes it after; the
 * returned function gives it to the tests (it throws if called outside them).
 */
export function npmSuite(): () => NpmFixture {
  let fx: NpmFixture | undefined;
  before(async () => {
    fx = await startNpmFixture();
  });
  after(() => fx?.close());
  return () => {
    if (fx === undefined) throw new Error('npmSuite() fixture used outside its suite');
    return fx;
  };
}

/**
 * The URL a registry started as a process (bin/plexus-registry.js) says it
 * listens on, and that whole line; rejects if the process exits first.
 */
export function listeningLine(child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>): Promise<{ url: string; line: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The whole line, up to its newline: a chunk may end mid-line.
      const match = /plexus-registry listening on (http:\/\/127\.0\.0\.1:\d+)[^\n]*(?=\n)/.exec(out);
      if (match) resolve({ url: match[1] as string, line: match[0] });
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
}
