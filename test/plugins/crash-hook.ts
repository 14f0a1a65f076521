// Loaded with --import into a host process the crash tests kill: CRASH_AT
// names one file operation, and the process SIGKILLs itself there, in
// whichever thread (the unpack thread too) makes it. Test code only.
//   rename-before:<s>  before a rename whose target contains <s>
//   rename-after:<s>   after it
//   rm-partial:<s>     when a folder whose path contains <s> (or that was
//                      renamed from such a path) is removed: its files below
//                      the top level go first, as a recursive rm gets part
//                      way, then the kill
import { readdirSync, rmSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';

const spec = process.env.CRASH_AT ?? '';
const [kind, needle = ''] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];

type Rename = (from: string, to: string) => Promise<void>;
type Rm = (path: string, options?: object) => Promise<void>;
const fsp = createRequire(import.meta.url)('node:fs/promises') as { rename: Rename; rm: Rm };
const { rename, rm } = fsp;
/** Paths that now hold what was at a matching path. */
const moved = new Set<string>();

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

if (kind !== '') {
  fsp.rename = async (from, to) => {
    const hit = String(to).includes(needle);
    if (kind === 'rename-before' && hit) die();
    await rename(from, to);
    if (kind === 'rename-after' && hit) die();
    if (String(from).includes(needle)) moved.add(String(to));
  };
  fsp.rm = async (path, options) => {
    if (kind === 'rm-partial' && (String(path).includes(needle) || moved.has(String(path)))) {
      let entries: string[] = [];
      try {
        entries = readdirSync(String(path));
      } catch {
        // Not there: nothing to remove part of.
      }
      for (const entry of entries) {
        let inner: string[] = [];
        try {
          inner = readdirSync(join(String(path), entry));
        } catch {
          continue;
        }
        for (const child of inner) rmSync(join(String(path), entry, child), { recursive: true, force: true });
      }
      if (entries.length > 0) die();
    }
    await rm(path, options);
  };
  syncBuiltinESMExports();
}
