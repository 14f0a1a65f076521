// A plugins.json edited by hand or restored from a backup, or a version
// folder deleted by hand, leaves an entry naming a folder that is not there;
// the loader would only say "no package.json in <root>", which reads like a
// broken package. One error for it wherever the version is loaded (the start's
// activation, an enable): what is wrong and the two ways out.
import { stat } from 'node:fs/promises';
import { PlexusError } from '@plexus/plugin-sdk';
import type { InstalledPlugin } from './plugin-state.ts';

/**
 * Asked only once a load failed (`plugin.root` absolute): PLEXUS_NOT_FOUND, as
 * for an install path that does not exist, when the folder is missing; else
 * undefined (the load's own error stands). Not PLEXUS_INVALID_CONFIG: the
 * entry itself is well formed (that code is for a schema failure).
 */
export async function missingFolder(plugin: Pick<InstalledPlugin, 'name' | 'version' | 'root' | 'source'>): Promise<PlexusError | undefined> {
  const missing = await stat(plugin.root).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  );
  if (!missing) return undefined;
  const ref = `${plugin.name}@${plugin.version}`;
  // A version installed from a folder or a .tgz is not in a registry: the recorded source says where it came from.
  const from = plugin.source === undefined ? '' : ` (installed from ${plugin.source})`;
  return new PlexusError('PLEXUS_NOT_FOUND', `the folder ${plugin.root} that plugins.json names for ${ref} does not exist: reinstall it with \`plexus install ${ref}\`${from}, or remove its entry from plugins.json`, {
    details: { name: plugin.name, version: plugin.version, root: plugin.root },
  });
}
