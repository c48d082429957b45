import { parseCsv } from './csv-parser';
import { FeatureTypeError, InvalidLabelError, MissingColumnError } from './errors';
import { VERDICT_FEATURES, featurizeVerdicts, type VerdictRecord } from './verdict-history';

/** Which CSV columns hold the verdict fields. */
export interface VerdictColumns {
  readonly test: string;
  readonly run: string;
  readonly time: string;
  readonly outcome: string;
  readonly duration?: string;
}

const FAILED = new Set(['1', 'true', 'fail', 'failed', 'failure', 'error', 'broken']);
const PASSED = new Set(['0', 'false', 'pass', 'passed', 'success', 'ok']);

/** A time cell: a number, or a date Date.parse understands; NaN otherwise. */
const parseTime = (raw: string): number => (/^[+-]?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw));

/** Reads a CI verdict log; a bad outcome, time or duration throws a typed error naming the CSV lines. */
export function verdictsFromCsv(text: string, columns: VerdictColumns): VerdictRecord[] {
  const { header, records } = parseCsv(text);
  const index = (column: string): number => {
    const at = header.indexOf(column);
    if (at < 0) throw new MissingColumnError(column, header);
    return at;
  };
  const [test, run, time, outcome] = [
    index(columns.test),
    index(columns.run),
    index(columns.time),
    index(columns.outcome),
  ];
  const duration = columns.duration === undefined ? -1 : index(columns.duration);
  const badOutcomes: number[] = [];
  const badTimes: number[] = [];
  const badDurations: number[] = [];
  const verdicts = records.map((record): VerdictRecord => {
    const cell = (at: number) => (record.cells[at] ?? '').trim();
    const verdict = cell(outcome).toLowerCase();
    if (!FAILED.has(verdict) && !PASSED.has(verdict)) badOutcomes.push(record.line);
    const when = parseTime(cell(time));
    if (!Number.isFinite(when)) badTimes.push(record.line);
    const took = duration < 0 || cell(duration) === '' ? undefined : Number(cell(duration));
    if (took !== undefined && !Number.isFinite(took)) badDurations.push(record.line);
    return {
      test: cell(test),
      run: cell(run),
      time: when,
      failed: FAILED.has(verdict),
      ...(took === undefined ? {} : { duration: took }),
    };
  });
  if (badOutcomes.length > 0) throw new InvalidLabelError(columns.outcome, badOutcomes);
  if (badTimes.length > 0) throw new FeatureTypeError(badTimes, [columns.time]);
  if (badDurations.length > 0) throw new FeatureTypeError(badDurations, [columns.duration!]);
  return verdicts;
}

const quote = (value: string): string => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * The verdict log as a training CSV: test, run, time, `failed` (0/1, the label) and the history
 * features of each verdict from earlier runs only. Train on it with `--label failed --drop test
 * --group run --order time`.
 */
export function verdictFeaturesCsv(verdicts: readonly VerdictRecord[]): string {
  const rows = featurizeVerdicts(verdicts);
  const lines = [['test', 'run', 'time', 'failed', ...VERDICT_FEATURES].join(',')];
  verdicts.forEach((v, i) =>
    lines.push(
      [quote(v.test), quote(v.run), v.time, v.failed ? 1 : 0, ...rows[i].map((x) => Number(x.toPrecision(8)))].join(
        ',',
      ),
    ),
  );
  return `${lines.join('\n')}\n`;
}
