/**
 * Quantile binning: each feature's training values are cut into at most `maxBins` bins, so a
 * tree considers at most maxBins - 1 split points per feature and histograms replace sorting.
 */

/**
 * Per feature, ascending upper bounds: bin b holds values <= bounds[b] (and > bounds[b - 1]); the last bin is open.
 */
export type BinBounds = readonly Float64Array[];

/** Cut points of one column: midpoints between distinct values when few, else quantiles. */
function columnBounds(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length > maxBins) {
    // Many values: maxBins - 1 quantiles are the bounds (duplicates of heavy values collapse).
    const quantiles = new Set<number>();
    for (let q = 1; q < maxBins; q++) quantiles.add(sorted[Math.floor((q * sorted.length) / maxBins)]);
    return Float64Array.from([...quantiles].sort((a, b) => a - b));
  }
  // Few values: cut halfway between neighbours (as LightGBM), so unseen values go to the nearer side.
  const bounds = new Float64Array(Math.max(distinct.length - 1, 0));
  for (let k = 0; k < bounds.length; k++) bounds[k] = (distinct[k] + distinct[k + 1]) / 2;
  return bounds;
}

/** Learns the bin bounds of every feature from column-major training values. */
export function fitBins(columns: readonly Float64Array[], maxBins: number): BinBounds {
  return columns.map((column) => columnBounds(column, maxBins));
}

/** Bin of one value: the first bound >= value (binary search), or the last bin. */
export function binOf(bounds: Float64Array, value: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bounds[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Bins of every row, column-major (`bins[feature * rows + row]`), one byte each. */
export function binColumns(columns: readonly Float64Array[], bounds: BinBounds): Uint8Array {
  const rows = columns[0]?.length ?? 0;
  const bins = new Uint8Array(columns.length * rows);
  columns.forEach((column, f) => {
    for (let i = 0; i < rows; i++) bins[f * rows + i] = binOf(bounds[f], column[i]);
  });
  return bins;
}

/** Row-major rows to column-major Float64Arrays. */
export function toColumns(rows: readonly (readonly number[])[], width: number): Float64Array[] {
  const columns = Array.from({ length: width }, () => new Float64Array(rows.length));
  rows.forEach((row, i) => {
    for (let f = 0; f < width; f++) columns[f][i] = row[f];
  });
  return columns;
}
