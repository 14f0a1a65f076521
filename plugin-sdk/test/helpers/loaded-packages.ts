// Which npm packages this process has loaded so far (CommonJS and ESM imports
// of CommonJS packages alike: both go through require's cache). Tests that
// keep a light entry point light (the CLI, the sandbox) import only it first.
import { createRequire } from 'node:module';

export function loadedPackages(): Set<string> {
  const packages = new Set<string>();
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const inside = file.split('/node_modules/').pop() as string;
    if (inside !== file) packages.add(inside.startsWith('@') ? inside.split('/').slice(0, 2).join('/') : (inside.split('/')[0] as string));
  }
  return packages;
}
