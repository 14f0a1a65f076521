// plexus registry start [--port 4873] [--storage dir] [--host addr]: the
// plugin registry (registry/, startRegistry) in the foreground until SIGTERM
// or SIGINT. Write tokens come from PLEXUS_REGISTRY_TOKENS and admin tokens
// from PLEXUS_REGISTRY_ADMIN_TOKENS, never from argv, where other users of the
// machine could read them in the process list.
import { ADMIN_TOKENS_ENV, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE, TOKENS_ENV, tokensFromEnv, writeAccessSummary } from '@plexus/registry/defaults';
import { isLogLevel } from '../observability/log-level.ts';
import { parseCommandArgs, usageError, type Command } from './command.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';

const OPTIONS = { port: { type: 'string' }, storage: { type: 'string' }, host: { type: 'string' }, 'public-url': { type: 'string' } } as const;
const STOP_TIMEOUT_MS = 10_000;

export const registryCommand: Command = {
  name: 'registry',
  summary: 'run the plugin registry (registry start)',
  help: `Usage: plexus registry start [--port ${DEFAULT_PORT}] [--storage dir] [--host addr] [--public-url url]

Runs an npm-compatible plugin registry until SIGTERM or SIGINT: plugin authors
publish with "npm publish --registry <url>", operators install with
"plexus install <name> --registry <url>". Versions are immutable; packages are
stored on disk. Logs are JSON lines on stdout.

Options:
  --port <n>          port (default ${DEFAULT_PORT}; 0 = any free port)
  --storage <dir>     where packages are stored (default ${DEFAULT_STORAGE})
  --host <addr>       address to bind (default ${DEFAULT_HOST})
  --public-url <url>  base URL of tarball links, when clients come through a proxy

Environment:
  ${TOKENS_ENV}        comma-separated bearer tokens allowed to publish
                                (none: the registry is read-only)
  ${ADMIN_TOKENS_ENV}  comma-separated bearer tokens that may also write every
                                package without maintaining it (npm owner add|rm to
                                hand on a package whose maintainers' tokens are gone)`,

  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('registry', argv, OPTIONS, 1);
    if (positionals[0] !== 'start') throw usageError('registry', positionals[0] === undefined ? 'missing the subcommand: start' : `unknown subcommand "${positionals[0]}"`);
    const port = values.port === undefined ? DEFAULT_PORT : parsePort(values.port);
    const level = io.env.PLEXUS_LOG_LEVEL;
    // Loaded here, not at the top: every other command would wait for the registry's server to load.
    const [{ startRegistry }, { createLogger }] = await Promise.all([import('@plexus/registry'), import('../observability/logger.ts')]);
    const logger = createLogger({ level: isLogLevel(level) ? level : 'info' });
    const registry = await startRegistry({
      port,
      host: values.host ?? DEFAULT_HOST,
      storage: values.storage ?? DEFAULT_STORAGE,
      tokens: tokensFromEnv(io.env[TOKENS_ENV]),
      adminTokens: tokensFromEnv(io.env[ADMIN_TOKENS_ENV]),
      logger,
      ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] }),
    });
    shutdownOnSignal({ stop: () => registry.close(), timeoutMs: STOP_TIMEOUT_MS, logger, signals: process, exit: (code) => process.exit(code), say: io.stderr });
    const writes = writeAccessSummary(registry.tokenCount, registry.adminTokenCount);
    // On stderr, like plexus start: stdout carries the JSON log lines.
    io.stderr(`plexus: registry on ${registry.url} (storage ${registry.storage}; ${writes})`);
    return new Promise<number>(() => {});
  },
};

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw usageError('registry', `--port must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}
