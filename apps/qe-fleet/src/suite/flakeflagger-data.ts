import { SuiteDataError } from '../errors';
import type { SuiteTest } from './types';

/** Columns of FlakeFlagger_filtered_dataset.csv that are not model features. */
const NON_FEATURE_COLUMNS = new Set(['test_name', 'flakyStatus']);

interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly string[][];
}

/** Parses the unquoted CSV FlakeFlagger ships (no field contains a comma or a quote). */
export function parseCsv(text: string, name: string): CsvTable {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length < 2) throw new SuiteDataError(`${name} has no data rows`);
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((line, index) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new SuiteDataError(`${name} row ${index + 2} has ${cells.length} fields, expected ${header.length}`);
    }
    return cells;
  });
  return { header, rows };
}

function column(table: CsvTable, name: string, file: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) throw new SuiteDataError(`${file} lacks column "${name}"`);
  return index;
}

function numberAt(cells: readonly string[], index: number, file: string, row: number): number {
  const value = Number(cells[index]);
  if (!Number.isFinite(value)) throw new SuiteDataError(`${file} row ${row}: "${cells[index]}" is not a number`);
  return value;
}

/** FlakeFlagger's spelling of a test_results.csv test name: `pkg.Class#method` → `pkg.class.method`. */
export function normaliseTestName(name: string): string {
  return name.replace('#', '.').toLowerCase();
}

interface RerunHistory {
  project: string;
  failing: number;
  passing: number;
}

/**
 * Joins the feature table with the rerun history: each test gets its flaky label, its recorded
 * execution time and the failure rate its reruns show. Tests without history are dropped.
 */
export function loadFlakeFlaggerSuite(datasetCsv: string, testResultsCsv: string): SuiteTest[] {
  const dataset = parseCsv(datasetCsv, 'FlakeFlagger_filtered_dataset.csv');
  const results = parseCsv(testResultsCsv, 'test_results.csv');
  const history = new Map<string, RerunHistory>();
  const [project, test, failing, passing] = ['Project', 'Test', 'NumFailingRuns', 'NumPassingRuns'].map((c) =>
    column(results, c, 'test_results.csv'),
  ) as [number, number, number, number];
  results.rows.forEach((cells, i) => {
    const key = normaliseTestName(cells[test]!);
    const entry = history.get(key) ?? { project: cells[project]!, failing: 0, passing: 0 };
    // A test listed twice (re-run campaigns) contributes all its runs.
    entry.failing += numberAt(cells, failing, 'test_results.csv', i + 2);
    entry.passing += numberAt(cells, passing, 'test_results.csv', i + 2);
    history.set(key, entry);
  });
  const name = column(dataset, 'test_name', 'FlakeFlagger_filtered_dataset.csv');
  const label = column(dataset, 'flakyStatus', 'FlakeFlagger_filtered_dataset.csv');
  const time = column(dataset, 'ExecutionTime', 'FlakeFlagger_filtered_dataset.csv');
  const featureColumns = dataset.header.map((c, i) => [c, i] as const).filter(([c]) => !NON_FEATURE_COLUMNS.has(c));
  const suite: SuiteTest[] = [];
  const seen = new Set<string>();
  dataset.rows.forEach((cells, i) => {
    const id = cells[name]!;
    const runs = history.get(id);
    if (runs === undefined || seen.has(id)) return;
    seen.add(id);
    const total = runs.failing + runs.passing;
    const features: Record<string, number> = {};
    for (const [columnName, index] of featureColumns) {
      features[columnName] = numberAt(cells, index, 'FlakeFlagger_filtered_dataset.csv', i + 2);
    }
    suite.push({
      id,
      project: runs.project,
      flaky: cells[label] === '1',
      failRate: total === 0 ? 0 : runs.failing / total,
      recordedMs: numberAt(cells, time, 'FlakeFlagger_filtered_dataset.csv', i + 2) * 1000,
      features,
    });
  });
  if (suite.length === 0) throw new SuiteDataError('no test of the dataset has a rerun history in test_results.csv');
  return suite;
}
