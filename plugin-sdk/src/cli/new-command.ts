// `plexus-plugin new <dir> [--name @scope/name]`: writes a working plugin
// skeleton into a folder that is missing or empty, never over existing files.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PACKAGE_SCHEMA } from '../runtime.ts';
import { CliError, parseCommandArgs, type Command } from './command.ts';
import { skeletonFiles } from './skeleton-files.ts';

const PACKAGE_NAME = new RegExp(PACKAGE_SCHEMA.properties.name.pattern);

/** The folder's name, made into a valid npm package name when possible. */
function defaultName(dir: string): string {
  return basename(dir).toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._~-]+/, '');
}

async function assertEmptyOrMissing(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new CliError(`${dir} exists and is not a folder`);
    throw err;
  }
  if (entries.length > 0) throw new CliError(`${dir} is not empty: plexus-plugin new only writes into a new or empty folder`);
}

export const newCommand: Command = {
  name: 'new',
  summary: 'create a plugin skeleton (manifest, src/plugin.ts, a sandboxed test, tsconfig, README)',
  help: `Usage: plexus-plugin new <dir> [--name @scope/name]

Creates a plugin package in dir, which must be missing or empty: package.json
with its "plexus" manifest, src/plugin.ts, test/plugin.test.ts, README.md,
.gitignore and the tsconfig.json files of npm run typecheck (src/ typed as the
sandbox, test/ as Node). Then: cd dir && npm install && npm test.

Options:
  --name <name>   the npm package name (default: the folder's name)
  -h, --help      show this help`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('new', argv, { name: { type: 'string' } }, 1);
    const target = positionals[0];
    if (target === undefined) throw new CliError('missing <dir> (see plexus-plugin new --help)');
    const dir = resolve(target);
    const name = values.name ?? defaultName(dir);
    // The same limits the build checks (PACKAGE_SCHEMA), so a skeleton never starts with a name it will refuse.
    if (!PACKAGE_NAME.test(name) || name.length > PACKAGE_SCHEMA.properties.name.maxLength) throw new CliError(`"${name}" is not a valid npm package name (at most ${PACKAGE_SCHEMA.properties.name.maxLength} characters; pass --name @scope/name)`);
    await assertEmptyOrMissing(dir);
    for (const [path, text] of Object.entries(skeletonFiles({ name }))) {
      const file = join(dir, path);
      await mkdir(dirname(file), { recursive: true });
      // flag 'wx': never overwrite, even if something appeared since the emptiness check.
      await writeFile(file, text, { flag: 'wx' });
    }
    console.log(`plexus-plugin: created ${name} in ${target}\n\n  cd ${target}\n  npm install\n  npm test`);
    return 0;
  },
};
