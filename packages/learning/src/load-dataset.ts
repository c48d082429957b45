import { parseCsv } from './csv-parser';
import { FeatureCountError, FeatureTypeError, InvalidLabelError, MissingColumnError } from './errors';
import { resolveHistoryKeySpec } from './history-encoding';
import type { Dataset, DatasetSchema, Label } from './types';
import { readDataFile } from './read-data-file';

const FINITE_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE_NUMBER = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Reads a cell as a number; NaN/Infinity spellings become NaN/±Infinity (validation rejects them), anything else is
 * undefined.
 */
function parseNumber(raw: string): number | undefined {
  const text = raw.trim();
  if (FINITE_NUMBER.test(text)) return Number(text);
  const special = NON_FINITE_NUMBER.exec(text);
  if (special === null) return undefined;
  if (special[2].toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** A time cell: a number (e.g. epoch ms or a run number) or a date Date.parse understands; NaN otherwise. */
function parseTime(raw: string): number {
  const text = raw.trim();
  return FINITE_NUMBER.test(text) ? Number(text) : Date.parse(text);
}

function parseLabel(raw: string): Label | undefined {
  const text = raw.trim().toLowerCase();
  if (text === '1' || text === 'true') return 1;
  if (text === '0' || text === 'false') return 0;
  return undefined;
}

function columnIndex(header: readonly string[], column: string): number {
  const index = header.indexOf(column);
  if (index < 0) throw new MissingColumnError(column, header);
  return index;
}

/** Name of the one-hot feature of `value` in categorical `column`. */
export const indicatorName = (column: string, value: string): string => `${column}=${value}`;

/** Builds a Dataset from CSV text under a declared schema; throws a typed error naming the bad rows. */
export function datasetFromCsv(text: string, schema: DatasetSchema): Dataset {
  const { header, records } = parseCsv(text);
  const labelIndex = columnIndex(header, schema.label);
  const groupIndex = schema.group === undefined ? -1 : columnIndex(header, schema.group);
  const dropped = new Set((schema.drop ?? []).map((column) => columnIndex(header, column)));
  const categoricalIndexes = (schema.categorical ?? []).map((column) => columnIndex(header, column));
  const historyKey = schema.historyKey === undefined ? undefined : resolveHistoryKeySpec(schema.historyKey);
  const historyIndex = historyKey === undefined ? -1 : columnIndex(header, historyKey.column);
  const orderIndex = schema.order === undefined ? -1 : columnIndex(header, schema.order);
  const special = new Set([labelIndex, groupIndex, historyIndex, orderIndex]);
  const featureIndexes = header
    .map((_, index) => index)
    .filter((index) => !special.has(index) && !dropped.has(index) && !categoricalIndexes.includes(index));
  const featureNames = featureIndexes.map((index) => header[index]);

  if (schema.features !== undefined) {
    for (const name of schema.features) columnIndex(header, name);
    if (
      schema.features.length !== featureNames.length ||
      schema.features.some((name, i) => name !== featureNames[i])
    ) {
      throw new FeatureCountError(
        schema.features.length,
        [1],
        ` (${schema.features.join(', ')}) but the header gives ${featureNames.length} (${featureNames.join(', ')})`,
      );
    }
  }

  const wrongWidth = records.filter((record) => record.cells.length !== header.length).map((record) => record.line);
  if (wrongWidth.length > 0)
    throw new FeatureCountError(featureNames.length, wrongWidth, ` (${header.length} cells per row)`);

  const badLabels: number[] = [];
  const badTypeRows: number[] = [];
  const badTypeColumns = new Set<string>();
  const features: number[][] = [];
  const labels: Label[] = [];
  for (const record of records) {
    const label = parseLabel(record.cells[labelIndex]);
    if (label === undefined) badLabels.push(record.line);
    else labels.push(label);
    const row: number[] = [];
    let typeError = false;
    for (const index of featureIndexes) {
      const value = parseNumber(record.cells[index]);
      if (value === undefined) {
        typeError = true;
        badTypeColumns.add(header[index]);
      } else row.push(value);
    }
    if (typeError) badTypeRows.push(record.line);
    features.push(row);
  }
  if (badLabels.length > 0) throw new InvalidLabelError(schema.label, badLabels);
  const order = orderIndex < 0 ? undefined : records.map((record) => parseTime(record.cells[orderIndex]));
  if (order !== undefined && order.some((t) => !Number.isFinite(t))) {
    throw new FeatureTypeError(
      records.filter((_, i) => !Number.isFinite(order[i])).map((record) => record.line),
      [schema.order!],
    );
  }
  if (badTypeRows.length > 0) throw new FeatureTypeError(badTypeRows, [...badTypeColumns]);

  const indicatorFeatures: string[] = [];
  for (const index of categoricalIndexes) {
    const values = [...new Set(records.map((record) => record.cells[index].trim()))].sort();
    indicatorFeatures.push(...values.map((value) => indicatorName(header[index], value)));
    records.forEach((record, i) => {
      const cell = record.cells[index].trim();
      for (const value of values) features[i].push(value === cell ? 1 : 0);
    });
  }

  return {
    featureNames: [...featureNames, ...indicatorFeatures],
    features,
    labels,
    ...(schema.categorical === undefined ? {} : { indicatorFeatures }),
    groups: groupIndex < 0 ? undefined : records.map((record) => record.cells[groupIndex].trim()),
    rowNumbers: records.map((record) => record.line),
    ...(order === undefined ? {} : { order }),
    ...(historyKey === undefined
      ? {}
      : { historyKey, historyValues: records.map((record) => record.cells[historyIndex].trim()) }),
  };
}

/** Reads a CSV file and builds a Dataset under a declared schema (see `datasetFromCsv`). */
export async function loadCsvDataset(path: string, schema: DatasetSchema): Promise<Dataset> {
  return datasetFromCsv(await readDataFile(path), schema);
}

/** Reads the named feature columns of unlabelled CSV text (for prediction); other columns are ignored. */
export function featureRowsFromCsv(
  text: string,
  featureNames: readonly string[],
  indicatorFeatures: readonly string[] = [],
): { rows: number[][]; rowNumbers: number[] } {
  const { header, records } = parseCsv(text);
  // An indicator feature `column=value` absent from the header is derived from the categorical column itself.
  const derived = new Map<number, { index: number; value: string }>();
  featureNames.forEach((name, j) => {
    if (header.includes(name) || !indicatorFeatures.includes(name)) return;
    const column = name.slice(0, name.indexOf('='));
    derived.set(j, { index: columnIndex(header, column), value: name.slice(column.length + 1) });
  });
  const indexes = featureNames.map((name, j) => (derived.has(j) ? -1 : columnIndex(header, name)));
  const wrongWidth = records.filter((record) => record.cells.length !== header.length).map((record) => record.line);
  if (wrongWidth.length > 0)
    throw new FeatureCountError(featureNames.length, wrongWidth, ` (${header.length} cells per row)`);
  const badRows: number[] = [];
  const badColumns = new Set<string>();
  const rows = records.map((record) =>
    indexes.map((index, j) => {
      const indicator = derived.get(j);
      if (indicator !== undefined) return record.cells[indicator.index].trim() === indicator.value ? 1 : 0;
      const value = parseNumber(record.cells[index]);
      if (value !== undefined) return value;
      badRows.push(record.line);
      badColumns.add(header[index]);
      return Number.NaN;
    }),
  );
  if (badRows.length > 0) throw new FeatureTypeError([...new Set(badRows)], [...badColumns]);
  return { rows, rowNumbers: records.map((record) => record.line) };
}

/**
 * The raw values of one column of CSV text (e.g. the history-key column for prediction); throws MissingColumnError
 * when absent.
 */
export function columnValuesFromCsv(text: string, column: string): string[] {
  const { header, records } = parseCsv(text);
  const index = columnIndex(header, column);
  return records.map((record) => (record.cells[index] ?? '').trim());
}
