import type { MeanSd } from './report-run';

/** Three decimals; 'n/a' for a missing or non-finite figure. */
export const num = (value: number | undefined): string =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
export const pm = (stat: MeanSd | undefined): string =>
  stat === undefined ? 'n/a' : `${num(stat.mean)} ± ${num(stat.sd)}`;
export const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'n/a');
export const tableRow = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
