#!/usr/bin/env node
// V8's compile cache (on disk, under the OS temp dir unless NODE_COMPILE_CACHE
// says otherwise): every plexus command loads the same modules, and a run
// that finds them compiled starts about a quarter sooner. Enabled before the
// CLI is imported, which is why that import is dynamic.
import module from 'node:module';

// Older Nodes fail on the first .ts import (ERR_UNKNOWN_FILE_EXTENSION), which says nothing of why.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`plexus: needs Node.js 24 or later (this is ${process.version}): in the Plexus checkout, npm run and npx use the Node 24 it installs`);
  process.exit(2);
}
module.enableCompileCache?.();
await import('../src/cli/main.ts');
