import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_REPORT_DATA, runCli, USAGE } from '../src/cli';
import { DataFileError } from '../src/errors';
import { flakeFlaggerDirectory, flakeFlaggerFile, FLAKEFLAGGER_FILES } from '../src/flakeflagger-files';
import { loadCsvDataset } from '../src/load-dataset';
import { readDataFile } from '../src/read-data-file';
import { DEFAULT_TRAINING_OPTIONS } from '../src/training-options';
import { tempDirectory } from './fixtures';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const packageRoot = path.resolve(import.meta.dirname, '..');

describe('the FlakeFlagger data the package ships', () => {
  it('the build ships gzip copies with their licence, identical to the repository CSVs', async () => {
    // The test target builds first, so the shipped copies exist and are what the package finds.
    expect(flakeFlaggerDirectory()).toBe(path.join(packageRoot, 'dist', 'data', 'flakeflagger'));
    expect(readFileSync(path.join(flakeFlaggerDirectory(), 'LICENSE'), 'utf8')).toContain('BSD 3-Clause License');
    for (const name of FLAKEFLAGGER_FILES) {
      expect(flakeFlaggerFile(name)).toMatch(/\.csv\.gz$/);
      expect(await readDataFile(flakeFlaggerFile(name))).toBe(
        readFileSync(path.join(packageRoot, 'data', 'flakeflagger', name), 'utf8'),
      );
    }
    expect(DEFAULT_REPORT_DATA).toBe(flakeFlaggerFile('flakeflagger-with-project.csv'));
  });

  it('loadCsvDataset reads the shipped .csv.gz', async () => {
    const data = await loadCsvDataset(flakeFlaggerFile('flakeflagger-with-project.csv'), {
      label: 'flakyStatus',
      drop: ['test_name'],
      group: 'project',
    });
    expect(data.labels).toHaveLength(21_661);
    expect(data.labels.filter((l) => l === 1)).toHaveLength(801);
  });

  it('a missing or damaged data file is ERR_DATA_FILE naming the file and --data', async () => {
    const { dir, cleanup } = tempDirectory();
    try {
      const missing = path.join(dir, 'absent.csv');
      await expect(readDataFile(missing)).rejects.toMatchObject({ code: 'ERR_DATA_FILE', file: missing });
      const report = await cli('report', '--data', missing, '--out', path.join(dir, 'r.md'));
      expect(report.code).toBe(1);
      expect(report.err).toContain(`ERR_DATA_FILE: cannot read data file "${missing}" (ENOENT)`);
      expect(report.err).toContain('--data <csv>');
      const notGzip = path.join(dir, 'bad.csv.gz');
      writeFileSync(notGzip, 'a,b\n1,2\n');
      await expect(readDataFile(notGzip)).rejects.toBeInstanceOf(DataFileError);
    } finally {
      cleanup();
    }
  });
});

describe('agentlink-learn --help and the documented defaults', () => {
  it('--help prints the usage on stdout and exits 0, alone or after a command', async () => {
    expect(await cli('--help')).toEqual({ code: 0, out: USAGE, err: '' });
    expect(await cli('train', '-h')).toMatchObject({ code: 0, out: USAGE });
  });

  it('the usage text states the training defaults of the code', () => {
    const d = DEFAULT_TRAINING_OPTIONS;
    expect(USAGE).toContain(
      `--epochs <n>            epoch limit (default ${d.maxEpochs})     --patience <n>  (default ${d.patience})`,
    );
    expect(USAGE).toContain(`hidden layer units (default ${d.hiddenUnits.join(',')})`);
    expect(USAGE).toContain(
      `Adam learning rate (default ${d.learningRate})   --batch-size <n> (default ${d.batchSize})`,
    );
  });

  it('the README lists every training default exactly as the code has it', () => {
    const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
    const show = (value: unknown): string =>
      Array.isArray(value) ? `[${value.join(', ')}]` : typeof value === 'string' ? `'${value}'` : String(value);
    for (const [key, value] of Object.entries(DEFAULT_TRAINING_OPTIONS)) {
      expect({ key, documented: readme.includes(`\`${key}\` ${show(value)}`) }).toEqual({ key, documented: true });
    }
  });
});
