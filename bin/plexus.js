#!/usr/bin/env node
// V8's compile cache (on disk, under the OS temp dir unless NODE_COMPILE_CACHE
// says otherwise): every plexus command loads the same modules, and a run
// that finds them compiled starts about a quarter sooner. Enabled before the
// CLI is imported, which is why that import is dynamic.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
