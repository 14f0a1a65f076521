// Runs the real npm CLI against a test registry with its own .npmrc and cache,
// so neither the developer's npm config nor their cache is read or written.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface NpmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NpmClient {
  userconfig: string;
  cache: string;
  run(args: readonly string[], cwd: string): Promise<NpmResult>;
}

/** `token: undefined` writes an .npmrc without credentials. */
export async function npmClient(dir: string, registryUrl: string, token: string | undefined): Promise<NpmClient> {
  await mkdir(dir, { recursive: true });
  const userconfig = join(dir, '.npmrc');
  const cache = join(dir, 'npm-cache');
  const authKey = `//${new URL(registryUrl).host}/:_authToken`;
  const lines = [`registry=${registryUrl}/`, 'audit=false', 'fund=false', 'update-notifier=false', 'loglevel=notice'];
  if (token !== undefined) lines.push(`${authKey}=${token}`);
  await writeFile(userconfig, `${lines.join('\n')}\n`);
  return { userconfig, cache, run: (args, cwd) => runNpm([...args, '--userconfig', userconfig, '--cache', cache], cwd) };
}

function runNpm(args: string[], cwd: string): Promise<NpmResult> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd, env: isolatedEnv(), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The test runner may itself run under npm/npx, which exports npm_config_* variables that would override the .npmrc. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_config_/i.test(key)) env[key] = value;
  }
  return env;
}
