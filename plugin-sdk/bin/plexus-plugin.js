#!/usr/bin/env node
// Through the package's own "imports" map: src/cli/main.ts in the Plexus
// checkout, dist/cli/main.js in the packed package (scripts/pack.ts), since
// Node will not strip types from a file under node_modules.
// Older Nodes fail on the first .ts import, or on the sandbox's isolated-vm 7, with errors that say nothing of why.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`plexus-plugin: needs Node.js 24 or later (this is ${process.version}); put Node 24 on your PATH`);
  process.exit(2);
}
await import('#cli');
