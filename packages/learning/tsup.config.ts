import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig } from 'tsup';

const common = {
  format: ['esm'] as const,
  target: 'node22',
  platform: 'node' as const,
  sourcemap: true,
  clean: false,
  splitting: false,
};

const DATA_FILES = ['FlakeFlagger_filtered_dataset.csv', 'test_results.csv', 'flakeflagger-with-project.csv'];

/** Ships the FlakeFlagger data with the package: gzip copies (1.1 MB of 9.4 MB) beside its licence. */
async function compressData(): Promise<void> {
  const from = path.join('data', 'flakeflagger');
  const to = path.join('dist', 'data', 'flakeflagger');
  await mkdir(to, { recursive: true });
  for (const file of DATA_FILES)
    await writeFile(path.join(to, `${file}.gz`), gzipSync(await readFile(path.join(from, file)), { level: 9 }));
  for (const file of ['LICENSE', 'README.md']) await copyFile(path.join(from, file), path.join(to, file));
}

// Two builds: the library (and the data), and the CLI with a shebang; declarations with maps
// come from tools/scripts/emit-declarations.mjs after tsup
// (dist/cli.js is the `agentlink-learn` bin).
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, dts: false, onSuccess: compressData },
  { ...common, entry: { cli: 'src/cli-main.ts' }, dts: false, banner: { js: '#!/usr/bin/env node' } },
]);
