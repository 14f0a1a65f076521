// Worker thread entry of UnpackWorker (unpack-worker.ts): fetches, checks and
// unpacks plugin packages (plugin-installer.ts) off the host's event loop.
// The thread lowers its own priority to the lowest first: on Linux nice is
// per thread, and setpriority for "process" 0 changes only the calling
// thread, so the host's own threads keep theirs. Elsewhere it would change
// the whole process, so it is left as it is there. Only then does it load
// the installer (pacote, tar, the manifest checks: about half a second of
// CPU), which is why that import is dynamic: a static one would run first.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { UnpackErrorData, UnpackReply, UnpackRequest } from './unpack-worker.ts';

const LOWEST_PRIORITY = 19;

if (process.platform === 'linux') {
  try {
    setPriority(LOWEST_PRIORITY);
  } catch {
    // Not allowed here (a restricted container): unpack at the host's priority.
  }
}

const port = parentPort;
if (!port) throw new Error('install-worker.ts runs as a worker thread');
const { unpackPlugin } = await import('./plugin-installer.ts');
// pacote loads at the first fetch wherever the installer runs (fetch-package.ts):
// here, ahead of the first install, so that install does not pay for it.
await import('pacote');

port.on('message', (request: UnpackRequest) => {
  // The install's deadline counts from here: starting the thread and loading the installer are not the registry's time.
  port.postMessage({ id: request.id, started: true } satisfies UnpackReply);
  unpackPlugin(request.spec, request.options).then(
    (unpacked) => port.postMessage({ id: request.id, ok: true, unpacked } satisfies UnpackReply),
    (err: unknown) => port.postMessage({ id: request.id, ok: false, error: errorData(err) } satisfies UnpackReply),
  );
});

function errorData(err: unknown): UnpackErrorData {
  const error = err instanceof Error ? err : new Error(String(err));
  const { code, details } = error as { code?: unknown; details?: Record<string, unknown> };
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(details === undefined ? {} : { details }) };
}
