import { CsvFormatError } from './errors';

export interface CsvRecord {
  /** 1-based line number where the record starts (the header is line 1). */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface ParsedCsv {
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
}

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF); blank lines are skipped. */
export function parseCsv(text: string): ParsedCsv {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let cellStarted = false;

  const endRecord = (): void => {
    if (cellStarted || cells.length > 0) {
      cells.push(cell);
      records.push({ line: recordLine, cells });
    }
    cells = [];
    cell = '';
    cellStarted = false;
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      cellStarted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      cellStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
      cellStarted = true;
    }
  }
  if (quoted)
    throw new CsvFormatError(`unterminated quoted cell starting in record at line ${recordLine}`, [recordLine]);
  endRecord();

  const [first, ...rest] = records;
  if (first === undefined) throw new CsvFormatError('the file is empty (no header row)');
  return { header: first.cells.map((name) => name.trim()), records: rest };
}
