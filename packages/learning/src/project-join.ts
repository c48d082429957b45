import { parseCsv } from './csv-parser';
import { MissingColumnError } from './errors';

export interface JoinGroupsOptions {
  /** Test-name column of the data set. Default 'test_name'. */
  readonly datasetKey?: string;
  /** Test-name column of the results file. Default 'Test'. */
  readonly resultsKey?: string;
  /** Group (project) column of the results file. Default 'Project'. */
  readonly resultsGroup?: string;
  /** Name of the added column. Default 'project'. */
  readonly column?: string;
  /** Group given to rows without a match. Default 'unknown'. */
  readonly unmatchedGroup?: string;
}

export interface JoinGroupsResult {
  /** The data set's CSV with the group column appended. */
  readonly csv: string;
  readonly matched: number;
  /** CSV line numbers and test names of rows that found no group (they get `unmatchedGroup`). */
  readonly unmatched: readonly { line: number; test: string }[];
  readonly groups: Readonly<Record<string, number>>;
}

/** FlakeFlagger's data set spells `Class#method` as lower-case `class.method`; this makes both sides match. */
export function normaliseTestName(name: string): string {
  return name.trim().toLowerCase().replace('#', '.');
}

const quote = (cell: string): string => (/[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/**
 * Appends a group column to a data set by joining a results file on the normalised test name; reports every row
 * without a match.
 */
export function joinGroups(datasetCsv: string, resultsCsv: string, options: JoinGroupsOptions = {}): JoinGroupsResult {
  const dataset = parseCsv(datasetCsv);
  const results = parseCsv(resultsCsv);
  const index = (header: readonly string[], column: string): number => {
    const i = header.indexOf(column);
    if (i < 0) throw new MissingColumnError(column, header);
    return i;
  };
  const keyIndex = index(dataset.header, options.datasetKey ?? 'test_name');
  const resultsKey = index(results.header, options.resultsKey ?? 'Test');
  const resultsGroup = index(results.header, options.resultsGroup ?? 'Project');
  const groupOf = new Map<string, string>();
  for (const record of results.records)
    groupOf.set(normaliseTestName(record.cells[resultsKey]), record.cells[resultsGroup]);

  const unmatchedGroup = options.unmatchedGroup ?? 'unknown';
  const unmatched: { line: number; test: string }[] = [];
  const groups: Record<string, number> = {};
  const lines = [[...dataset.header, options.column ?? 'project'].map(quote).join(',')];
  for (const record of dataset.records) {
    const test = record.cells[keyIndex];
    const group = groupOf.get(normaliseTestName(test));
    if (group === undefined) unmatched.push({ line: record.line, test });
    const assigned = group ?? unmatchedGroup;
    groups[assigned] = (groups[assigned] ?? 0) + 1;
    lines.push([...record.cells, assigned].map(quote).join(','));
  }
  return { csv: `${lines.join('\n')}\n`, matched: dataset.records.length - unmatched.length, unmatched, groups };
}
