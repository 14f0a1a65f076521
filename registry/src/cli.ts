// plexus-registry [--port 4873] [--host 127.0.0.1] [--storage ./.plexus/registry] [--public-url url]
// Write tokens come from PLEXUS_REGISTRY_TOKENS and admin tokens from
// PLEXUS_REGISTRY_ADMIN_TOKENS (comma-separated), never from argv, where other
// users of the machine could read them in the process list.
import { parseArgs } from 'node:util';
import { ADMIN_TOKENS_ENV, TOKENS_ENV, writeAccessSummary } from './auth.ts';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE } from './options.ts';
import { startRegistry } from './start.ts';

const USAGE = `Usage: plexus-registry [options]

  --port <n>          port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --host <addr>       address to bind (default ${DEFAULT_HOST})
  --storage <dir>     where packages are stored (default ${DEFAULT_STORAGE})
  --public-url <url>  base URL for tarball links when behind a proxy
  -h, --help          show this help

Environment:
  ${TOKENS_ENV}        comma-separated bearer tokens allowed to publish and tag
  ${ADMIN_TOKENS_ENV}  comma-separated bearer tokens that may also write every
                                package without maintaining it (npm owner add|rm to
                                hand on a package whose maintainers' tokens are gone)
`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      storage: { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : parsePort(values.port);
  const registry = await startRegistry({
    port,
    host: values.host ?? DEFAULT_HOST,
    storage: values.storage ?? DEFAULT_STORAGE,
    ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] }),
    logger: true,
  });
  const writes = writeAccessSummary(registry.tokenCount, registry.adminTokenCount);
  process.stdout.write(`plexus-registry listening on ${registry.url} (storage ${registry.storage}; ${writes})\n`);
  const stop = () => {
    registry.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new Error(`--port must be a number from 0 to 65535, got "${value}"`);
  return Number(value);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  process.stderr.write(`plexus-registry: ${typeof code === 'string' ? `${code}: ` : ''}${message}\n${code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? USAGE : ''}`);
  process.exitCode = 1;
});
