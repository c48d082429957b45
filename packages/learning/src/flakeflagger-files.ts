import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The FlakeFlagger files (BSD-3-Clause, see the LICENSE beside them) that the package ships. */
export const FLAKEFLAGGER_FILES = [
  'FlakeFlagger_filtered_dataset.csv',
  'test_results.csv',
  'flakeflagger-with-project.csv',
] as const;

/** Name of one of the shipped FlakeFlagger files. */
export type FlakeFlaggerFileName = (typeof FLAKEFLAGGER_FILES)[number];

// Both src/ (tests) and dist/ (the package) sit one level below the package root.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shippedDirectory = path.join(packageRoot, 'dist', 'data', 'flakeflagger');
const repositoryDirectory = path.join(packageRoot, 'data', 'flakeflagger');

/**
 * Directory of the FlakeFlagger files: the gzip copies the build writes to dist/data/flakeflagger
 * (what npm installs), else the repository's data/flakeflagger (plain CSV) before a build.
 */
export function flakeFlaggerDirectory(): string {
  return existsSync(path.join(shippedDirectory, 'LICENSE')) ? shippedDirectory : repositoryDirectory;
}

/** Path of one FlakeFlagger file (`.csv.gz` when shipped); read it with `readDataFile` or `loadCsvDataset`. */
export function flakeFlaggerFile(name: FlakeFlaggerFileName): string {
  const directory = flakeFlaggerDirectory();
  return path.join(directory, directory === shippedDirectory ? `${name}.gz` : name);
}
