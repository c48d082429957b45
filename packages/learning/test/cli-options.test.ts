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
    expect(summary.selection.candidates.map((c: { family: string }) => c.family)).toEqual([
      'gbdt',
      'gbdt',
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

  it('options that change nothing are warned about; a time order with k-fold CV is refused', async () => {
    const warned = await cli(
      'evaluate',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id,group',
      '--family',
      'gbdt',
      '--folds',
      '3',
      '--epochs',
      '4',
    );
    expect(warned.code).toBe(0);
    expect(warned.err).toContain('--folds has no effect with --mode holdout');
    expect(warned.err).toContain('--epochs has no effect with --family gbdt');
    expect((await cli('evaluate', '--data', csv, '--label', 'label', '--order', 'a', '--mode', 'cv')).err).toContain(
      'would train on the future',
    );
    expect((await cli('train', '--data', csv, '--label', 'label', '--min-recall', '0.5', '--out', dir)).err).toContain(
      '--min-recall needs --objective precision@recall',
    );
    expect((await cli('train', '--data', csv, '--label', 'label', '--family', 'forest', '--out', dir)).code).toBe(2);
    expect(
      (await cli('train', '--data', csv, '--label', 'label', '--objective', 'recall', '--out', dir)).err,
    ).toContain('--objective must be');
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

  it('usage errors exit 2 with the usage text; data errors exit 1 with their code', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('fly')).err).toContain('unknown command');
    expect((await cli('train', '--data', csv)).err).toContain('--label is required');
    expect((await cli('train', '--data', csv, '--label', 'label')).err).toContain('--out is required');
    expect((await cli('train', '--label', 'label', '--out', dir, '--seed', 'x')).err).toContain(
      '--seed must be an integer',
    );
    expect((await cli('train', '--label', 'label', '--out', dir, '--test-fraction', '2')).code).toBe(2);
    expect((await cli('train', '--bogus')).code).toBe(2);
    expect((await cli('evaluate', '--label', 'l', '--floor-balanced-accuracy', '3')).err).toContain(
      '--floor-balanced-accuracy',
    );
    expect((await cli('evaluate', '--data', csv, '--label', 'label', '--drop', 'id,group', '--mode', 'x')).code).toBe(
      2,
    );
    const missing = await cli('train', '--data', csv, '--label', 'nope', '--out', dir);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('ERR_MISSING_COLUMN') });
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y,label\n1,2,0\n1,2,0\n3,4,1\n');
    const fatal = await cli('evaluate', '--data', bad, '--label', 'label', '--fatal-warnings');
    expect(fatal).toMatchObject({ code: 1, err: expect.stringContaining('ERR_DUPLICATE_ROWS') });
    expect((await cli('predict', '--data', csv)).err).toContain('--model is required');
  });
});
