// A host logger that writes nothing: for tests that read what they check from
// metrics or the store, not from log lines.
import type { HostLogger } from '../../src/observability/host-logger.ts';

export const quiet: HostLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
