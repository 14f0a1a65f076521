// plexus start: run the host until SIGTERM or SIGINT.
import { parseCommandArgs, type Command } from './command.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';

const OPTIONS = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  listen: { type: 'string' },
  'admin-listen': { type: 'string' },
} as const;

// host.stop() spends up to shutdownTimeoutMs settling in-flight work, then
// runs plugins' cleanup hooks and closes the store: room for those on top.
const CLEANUP_GRACE_MS = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'run the host',
  help: `Usage: plexus start [--config file] [--state-dir dir] [--listen host:port] [--admin-listen host:port]

Runs the host until SIGTERM or SIGINT. Without --config: the embedded default
(durable queue and state under ./.plexus, webhooks on 0.0.0.0:8080, admin API
on 127.0.0.1:9090). Logs are JSON lines on stdout; level from logLevel or
$PLEXUS_LOG_LEVEL.

Options:
  --config <file>             YAML or JSON config file (\${NAME} and \${NAME:-default} resolved from the env)
  --state-dir <dir>           state directory (default: $PLEXUS_STATE_DIR, else the file's stateDir,
                              else .plexus beside the config file, or ./.plexus without one)
  --listen <host:port>        webhook ingress address
  --admin-listen <host:port>  admin API address (port 0: any free port)

The admin token comes from $PLEXUS_ADMIN_TOKEN or the config's adminToken;
otherwise it is generated once into <state dir>/admin-token (mode 0600).`,

  async run(argv, io) {
    const { values } = parseCommandArgs('start', argv, OPTIONS, 0);
    // The host is loaded here, not at the top: every other command (a thin
    // client of the admin API) would wait for all of it to load.
    const [{ loadConfig }, { createLogger }, { startHostRuntime }] = await Promise.all([
      import('../config/load-config.ts'), import('../observability/logger.ts'), import('./host-runtime.ts'),
    ]);
    const loaded = await loadConfig({
      file: values.config,
      env: io.env,
      cwd: io.cwd,
      flags: { stateDir: values['state-dir'], listen: values.listen, adminListen: values['admin-listen'] },
    });
    const logger = createLogger({ level: loaded.logLevel });
    const starting = startHostRuntime({ loaded, logger });
    // Listening for signals from the start: a SIGTERM during startup waits for it, then stops cleanly.
    const stopListening = shutdownOnSignal({
      stop: async () => (await starting).stop(),
      timeoutMs: loaded.host.shutdownTimeoutMs + CLEANUP_GRACE_MS,
      logger,
      signals: process,
      // Exit explicitly: a plugin or driver handle left open must not keep a stopped host alive.
      exit: (code) => process.exit(code),
      say: io.stderr,
    });
    const runtime = await starting.catch((err: unknown) => {
      stopListening();
      throw err;
    });
    // On stderr: stdout carries the JSON log lines, which a collector may parse.
    io.stderr(`plexus: admin API on ${runtime.adminUrl}`);
    io.stderr(runtime.token.file === undefined ? `plexus: admin token from ${runtime.token.origin}` : `plexus: admin token in ${runtime.token.file}`);
    // Runs until a signal; shutdownOnSignal ends the process.
    return new Promise<number>(() => {});
  },
};
