import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../src/cli';
import { cli } from './cli-run';
import { datasetToCsv, syntheticDataset, tempDirectory } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
const csv = path.join(dir, 'data.csv');
writeFileSync(csv, datasetToCsv(syntheticDataset(200, 31, { groups: 5 })));

describe('agentlink-learn options', () => {
  const autoTitle =
    'train --family auto chooses by nested CV and records' +
    ' the candidates; --group splits by whole groups';
  it(autoTitle, async () => {
    const modelDir = path.join(dir, 'auto-model');
    const result = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--group',
      'group',
      '--family',
      'auto',
      '--inner-folds',
      '2',
      '--out',
      modelDir,
      '--epochs',
      '5',
      '--patience',
      '2',
      '--hidden',
      '4',
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.out);
    expect(summary.split).toBe('grouped');
    // The default grid: two boosted-tree shapes, the forest, their average; then the network and the ensemble.
    const candidates = summary.selection.candidates as { family: string; gbdt?: { mode?: string } }[];
    expect(candidates.map((c) => `${c.family}${c.gbdt?.mode === undefined ? '' : `:${c.gbdt.mode}`}`)).toEqual([
      'gbdt',
      'gbdt',
      'gbdt:forest',
      'gbdt:both',
      'network',
      'ensemble',
    ]);
    expect(summary.family).toBe(summary.selection.chosen.family);
    expect(result.err).toContain('selection: network inner fold 2/2');
  }, 120_000);

  it('evaluate --group holds out whole groups in hold-out and CV; --objective picks the threshold rule', async () => {
    const result = await cli(
      'evaluate',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--group',
      'group',
      '--mode',
      'all',
      '--folds',
      '2',
      '--group-folds',
      '2',
      '--family',
      'gbdt',
      '--objective',
      'precision@recall',
      '--min-recall',
      '0.9',
    );
    expect(result.code).toBe(0);
    const written = JSON.parse(result.out);
    expect(written.holdout.kind).toBe('grouped-holdout');
    expect(written.crossValidation.kind).toBe('group-kfold');
    for (const fold of written.crossValidation.folds) expect(fold.testGroups.length).toBeGreaterThan(0);
    expect(written.holdout.folds[0].family).toBe('gbdt');
  }, 120_000);

  // Options that change nothing are warned about (the run still succeeds).
  it.each([
    {
      flag: '--folds',
      argv: ['--family', 'gbdt', '--folds', '3'],
      warning: '--folds has no effect with --mode holdout',
    },
    {
      flag: '--epochs',
      argv: ['--family', 'gbdt', '--epochs', '4'],
      warning: '--epochs has no effect with --family gbdt',
    },
    {
      flag: '--trees',
      argv: ['--family', 'network', '--epochs', '2', '--hidden', '4', '--trees', 'forest'],
      warning: '--trees has no effect with --family network',
    },
  ])('evaluate warns that $flag has no effect and still exits 0', async ({ argv, warning }) => {
    const result = await cli('evaluate', '--data', csv, '--label', 'label', '--drop', 'id,group', ...argv);
    expect(result.code).toBe(0);
    expect(result.err).toContain(warning);
  });

  it('train --family gbdt --trees both saves the forest beside the boosted trees', async () => {
    const modelDir = path.join(dir, 'both-model');
    const argv = ['--data', csv, '--label', 'label', '--drop', 'id,group', '--out', modelDir];
    expect((await cli('train', ...argv, '--family', 'gbdt', '--trees', 'both')).code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(modelDir, 'flakiness-model.json'), 'utf8'));
    expect(saved.gbdt.forest).toHaveLength(100);
    expect(saved.gbdt.forestWeight).toBe(0.5);
    expect(saved.gbdt.trees.length).toBeGreaterThan(0);
  });

  const progressTitle =
    'shows training progress: a line every --progress-every epochs' +
    ' without a terminal, one rewritten line on a terminal';
  it(progressTitle, async () => {
    const argv = [
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id,group',
      '--family',
      'network',
      '--epochs',
      '4',
      '--patience',
      '10',
      '--hidden',
      '4',
      '--test-fraction',
      '0',
      '--out',
      path.join(dir, 'progress'),
    ];
    let err = '';
    expect(await runCli([...argv, '--progress-every', '2'], { out: () => undefined, err: (t) => (err += t) })).toBe(0);
    expect(err.match(/^epoch \d+: loss/gm)).toEqual(['epoch 2: loss', 'epoch 4: loss']);
    err = '';
    expect(await runCli(argv, { out: () => undefined, err: (t) => (err += t), isTTY: true })).toBe(0);
    expect(err.split('\r').filter((part) => part.startsWith('epoch '))).toHaveLength(4);
  }, 120_000);

  it('join appends the project column and lists unmatched rows', async () => {
    const data = path.join(dir, 'ff.csv');
    const results = path.join(dir, 'results.csv');
    writeFileSync(data, 'test_name,flakyStatus,x\norg.a.footest.testone,1,3\norg.b.bar.lost,0,4\n');
    writeFileSync(results, 'Project,Test,IsFlaky\nproj-a,org.a.FooTest#testOne,1\n');
    const out = path.join(dir, 'joined.csv');
    const result = await cli('join', '--data', data, '--results', results, '--out', out);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({
      matched: 1,
      unmatched: [{ line: 3, test: 'org.b.bar.lost' }],
      groups: { 'proj-a': 1, unknown: 1 },
    });
    expect(readFileSync(out, 'utf8')).toBe(
      'test_name,flakyStatus,x,project\norg.a.footest.testone,1,3,proj-a\norg.b.bar.lost,0,4,unknown\n',
    );
  });

  /** A bad invocation: its arguments, the exit code (2 usage, 1 data) and what stderr must name. */
  interface OptionError {
    readonly title: string;
    readonly argv: readonly string[];
    readonly code: number;
    readonly err: string;
  }
  const optionErrors: readonly OptionError[] = [
    { title: 'no command', argv: [], code: 2, err: 'a command is required' },
    { title: 'an unknown command', argv: ['fly'], code: 2, err: 'unknown command' },
    { title: 'an unknown option', argv: ['train', '--bogus'], code: 2, err: '--bogus' },
    { title: 'train without --label', argv: ['train', '--data', csv], code: 2, err: '--label is required' },
    {
      title: 'train without --out',
      argv: ['train', '--data', csv, '--label', 'label'],
      code: 2,
      err: '--out is required',
    },
    {
      title: 'a --seed that is no integer',
      argv: ['train', '--label', 'label', '--out', dir, '--seed', 'x'],
      code: 2,
      err: '--seed must be an integer',
    },
    {
      title: 'a --test-fraction outside (0, 1)',
      argv: ['train', '--label', 'label', '--out', dir, '--test-fraction', '2'],
      code: 2,
      err: '--test-fraction',
    },
    {
      title: 'a --floor-balanced-accuracy above 1',
      argv: ['evaluate', '--label', 'l', '--floor-balanced-accuracy', '3'],
      code: 2,
      err: '--floor-balanced-accuracy',
    },
    {
      title: 'an unknown --mode',
      argv: ['evaluate', '--data', csv, '--label', 'label', '--drop', 'id,group', '--mode', 'x'],
      code: 2,
      err: '--mode',
    },
    {
      title: 'a time order with k-fold CV',
      argv: ['evaluate', '--data', csv, '--label', 'label', '--order', 'a', '--mode', 'cv'],
      code: 2,
      err: 'would train on the future',
    },
    {
      title: '--min-recall without --objective precision@recall',
      argv: ['train', '--data', csv, '--label', 'label', '--min-recall', '0.5', '--out', dir],
      code: 2,
      err: '--min-recall needs --objective precision@recall',
    },
    {
      title: 'an unknown --family',
      argv: ['train', '--data', csv, '--label', 'label', '--family', 'forest', '--out', dir],
      code: 2,
      err: '--family must be',
    },
    {
      title: 'an unknown --trees',
      argv: ['train', '--data', csv, '--label', 'label', '--trees', 'jungle', '--out', dir],
      code: 2,
      err: '--trees must be boosting, forest or both',
    },
    {
      title: 'an unknown --objective',
      argv: ['train', '--data', csv, '--label', 'label', '--objective', 'recall', '--out', dir],
      code: 2,
      err: '--objective must be',
    },
    { title: 'predict without --model', argv: ['predict', '--data', csv], code: 2, err: '--model is required' },
    {
      title: 'a --label column the data lacks',
      argv: ['train', '--data', csv, '--label', 'nope', '--out', dir],
      code: 1,
      err: 'ERR_MISSING_COLUMN',
    },
  ];
  it.each(optionErrors)('$title exits $code naming it ($err)', async ({ argv, code, err }) => {
    const result = await cli(...argv);
    expect(result.code).toBe(code);
    expect(result.err).toContain(err);
  });

  it('--fatal-warnings turns a data warning into exit 1 with its code', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y,label\n1,2,0\n1,2,0\n3,4,1\n');
    const fatal = await cli('evaluate', '--data', bad, '--label', 'label', '--fatal-warnings');
    expect(fatal).toMatchObject({ code: 1, err: expect.stringContaining('ERR_DUPLICATE_ROWS') });
  });
});
