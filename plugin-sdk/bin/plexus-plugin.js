#!/usr/bin/env node
// Through the package's own "imports" map: src/cli/main.ts in the Plexus
// checkout, dist/cli/main.js in the packed package (scripts/pack.ts), since
// Node will not strip types from a file under node_modules.
import '#cli';
