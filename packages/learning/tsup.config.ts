import { defineConfig } from 'tsup';

const common = { format: ['esm'] as const, target: 'node22', platform: 'node' as const, sourcemap: true, clean: false, splitting: false };

// Two builds: the library with declarations, and the CLI with a shebang (dist/cli.js is the `agentlink-learn` bin).
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, dts: true },
  { ...common, entry: { cli: 'src/cli-main.ts' }, dts: false, banner: { js: '#!/usr/bin/env node' } },
]);
