/** The FlakeFlagger data set the learning benches read (21,661 tests), in one place. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvDataset, type Dataset, type DatasetSchema } from '@agentlink/learning';

export const FLAKEFLAGGER_CSV = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/learning/data/flakeflagger/flakeflagger-with-project.csv',
);

/** Label, the test name dropped (an identifier), the project as the group; `extra` adds to that. */
export function loadFlakeFlagger(extra: Partial<DatasetSchema> = {}): Promise<Dataset> {
  return loadCsvDataset(FLAKEFLAGGER_CSV, { label: 'flakyStatus', drop: ['test_name'], group: 'project', ...extra });
}
