// `plexus registry start` in a process of its own on a free loopback port, as
// operators run it, for benches and tests that must not share the host's
// event loop with the registry (bench/reload.ts, the hot reload torture test).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface RegistryProcess {
  url: string;
  child: ChildProcess;
}

/** Starts it with `token` as its one write token; answers its URL once it listens, rejects if it exits first. */
export async function registryProcess(storage: string, token: string): Promise<RegistryProcess> {
  const bin = resolve(import.meta.dirname, '../../../bin/plexus.js');
  const child = spawn(process.execPath, [bin, 'registry', 'start', '--port', '0', '--storage', storage], { env: { ...process.env, PLEXUS_REGISTRY_TOKENS: token, PLEXUS_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((found, fail) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /plexus: registry on (http:\/\/\S+)/.exec(stderr);
      if (match) found(match[1] as string);
    });
    child.once('exit', (code) => fail(new Error(`plexus registry start exited with ${code}: ${stderr}`)));
  });
  return { url, child };
}
