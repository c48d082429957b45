import { defineConfig } from 'tsup';

export default defineConfig({
  // main: the CLI (`npm start`, and each child of --mode processes|namespaces); index: the library.
  entry: ['src/main.ts', 'src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: false,
  // Workspace packages (the test harness too, loaded only for --fault) stay imports, never bundled.
  external: [/^@agentlink\//, 'hdr-histogram-js'],
});
