/** A cell value; numbers are right-aligned. */
export type TableCell = string | number | boolean | null | undefined;

/** Options of renderMarkdownTable(). */
export interface MarkdownTableOptions {
  /** Column order and selection. Default: keys of all rows in first-seen order. */
  readonly columns?: readonly string[];
  /** Fraction digits of non-integer numbers. Default 2. */
  readonly fractionDigits?: number;
}

function format(value: TableCell, fractionDigits: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(fractionDigits);
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Renders rows as a GitHub-flavoured Markdown table (benchmark output for BENCHMARKS.md). */
export function renderMarkdownTable(
  rows: readonly Readonly<Record<string, TableCell>>[],
  options: MarkdownTableOptions = {},
): string {
  const columns = options.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (columns.length === 0) return '';
  const digits = options.fractionDigits ?? 2;
  const numeric = columns.map(
    (c) =>
      rows.length > 0 && rows.every((row) => row[c] === undefined || row[c] === null || typeof row[c] === 'number'),
  );
  const body = rows.map((row) => columns.map((c) => format(row[c], digits)));
  const widths = columns.map((c, i) => Math.max(3, format(c, digits).length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns.map((c) => format(c, digits))), rule, ...body.map(line)].join('\n');
}
