import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_REPORT_DATA, runCli } from '../src/cli';
import { mulberry32 } from '../src/prng';
import { holdoutEvaluation } from '../src/evaluation';
import { datasetFromCsv } from '../src/load-dataset';
import { ISSUE_FOREST_BASELINE } from '../src/report-command';
import { renderHonestReport, targetLines } from '../src/report-render';
import { flakeFlaggerFeatureSets, type HonestReport } from '../src/report-run';
import { tempDirectory } from './fixtures';

const temp = tempDirectory();
afterAll(() => temp.cleanup());

/** A FlakeFlagger-shaped CSV: test_name (package.Class.method), project, flakyStatus and two numeric features. */
function flakeFlaggerLike(rows: number, seed: number): string {
  const random = mulberry32(seed);
  const lines = ['test_name,flakyStatus,x,y,project'];
  for (let i = 0; i < rows; i++) {
    const cls = i % 30;
    const x = random();
    const flaky = x + (cls % 3 === 0 ? 0.3 : 0) + random() * 0.2 > 0.95 ? 1 : 0;
    lines.push(`org.p${cls % 4}.C${cls}.t${i},${flaky},${x.toFixed(4)},${random().toFixed(4)},p${cls % 4}`);
  }
  return `${lines.join('\n')}\n`;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('agentlink-learn report', () => {
  const title =
    'writes hold-outs (mean ± sd), pooled CV, per-project F1 and leave-projects-out' +
    ' for three feature sets; --from re-renders';
  it(title, async () => {
    const data = path.join(temp.dir, 'ff.csv');
    writeFileSync(data, flakeFlaggerLike(400, 2));
    const out = path.join(temp.dir, 'report.md');
    const result = await cli(
      'report',
      '--data',
      data,
      '--out',
      out,
      '--family',
      'gbdt',
      '--holdout-seeds',
      '11,12',
      '--folds',
      '3',
      '--group-folds',
      '2',
    );
    expect(result.code).toBe(0);
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toContain('## Five unseen-seed hold-outs (mean ± sd)');
    for (const set of ['numeric only (2)', '+ project (6)', '+ sibling history (9)'])
      expect(markdown).toContain(`| ${set} |`);
    expect(markdown).toMatch(/\| numeric only, 10-fold CV pooled \| \d\.\d{3} \|/);
    expect(markdown).toContain('| leave-projects-out pooled');
    expect(markdown).toMatch(/\| p0 \| \d+ \| \d+ \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \|/);
    expect(markdown).toContain('seeds 11, 12');
    const report = JSON.parse(readFileSync(path.join(temp.dir, 'report.json'), 'utf8')) as HonestReport;
    expect(report.sets[0].holdouts).toHaveLength(2);
    // Further operating points: the BA-tuned threshold and the F1-with-BA-floor ones, beside the F1 one.
    const points = report.sets[0].holdouts[0].folds[0].operatingPoints!;
    expect(Object.keys(points)).toEqual(['balanced accuracy', 'F1 at BA ≥ 0.86', 'F1 at BA ≥ 0.9']);
    expect(points['balanced accuracy'].test.balancedAccuracy).toBeGreaterThan(0.5);
    expect(report.sets[0].operatingPointStats!['balanced accuracy'].balancedAccuracy.mean).toEqual(expect.any(Number));
    expect(markdown).toContain('(F1 0.745, BA 0.844)) | F1 ≥ 0.76, BA ≥ 0.86 | F1-tuned threshold |');
    expect(markdown).toMatch(/\| BA-tuned threshold \| F1 \d\.\d{3} ± \d\.\d{3}, BA \d\.\d{3}/);
    expect(markdown).toContain('one threshold: best F1 with BA ≥ 0.9 in training');
    expect(result.err).toContain('numeric only: hold-out seed 11');
    // The issue's forest on the same hold-outs: computed by the same evaluation, one row beside ours per set.
    expect(markdown).toContain("## Against the issue's random forest on the same hold-outs (means)");
    const figures = String.raw`\d\.\d{3} / \d\.\d{3}`;
    for (const set of [String.raw`numeric only`, String.raw`\+ project`, String.raw`\+ sibling history`])
      expect(markdown).toMatch(
        new RegExp(String.raw`\| ${set} \| random forest \(scikit-learn defaults\) \| ${figures} \|`),
      );
    const numeric = datasetFromCsv(readFileSync(data, 'utf8'), flakeFlaggerFeatureSets()[0].schema);
    const baselineOn = (seed: number) =>
      holdoutEvaluation(numeric, { ...ISSUE_FOREST_BASELINE.evaluation, seed, testFraction: 0.2 });
    const direct = await Promise.all([11, 12].map(baselineOn));
    const directF1 = (direct[0].folds[0].test.f1 + direct[1].folds[0].test.f1) / 2;
    expect(report.sets[0].baseline!.holdoutStats.f1.mean).toBeCloseTo(directF1, 10);
    const pointBa = (h: (typeof direct)[number]) =>
      h.folds[0].operatingPoints!['F1 at BA ≥ 0.86'].test.balancedAccuracy;
    expect(report.sets[0].baseline!.operatingPointStats['F1 at BA ≥ 0.86'].balancedAccuracy.mean).toBeCloseTo(
      (pointBa(direct[0]) + pointBa(direct[1])) / 2,
      10,
    );
    expect(result.err).toContain('numeric only: baseline (random forest (scikit-learn defaults)), hold-out seed 12');
    // The ceilings: threshold picked on the test rows, never below what the honest threshold gets at the floor.
    const ceilingOf = (h: (typeof direct)[number]) => h.folds[0].operatingPoints!['F1 at BA ≥ 0.86'].ceiling!;
    for (const h of direct) {
      expect(ceilingOf(h).test.balancedAccuracy).toBeGreaterThanOrEqual(0.86);
      const honest = h.folds[0].operatingPoints!['F1 at BA ≥ 0.86'].test;
      if (honest.balancedAccuracy >= 0.86) expect(ceilingOf(h).test.f1).toBeGreaterThanOrEqual(honest.f1);
    }
    expect(report.sets[0].baseline!.ceilingStats!['F1 at BA ≥ 0.86'].f1.mean).toBeCloseTo(
      (ceilingOf(direct[0]).test.f1 + ceilingOf(direct[1]).test.f1) / 2,
      10,
    );
    const ceilingLine = '| ceiling: best F1 with BA ≥ 0.86, threshold picked on the test rows (not a result) |';
    expect(markdown).toContain(ceilingLine);
    expect(markdown).toContain('| ceiling of F1 at BA ≥ 0.86: F1 |');
    const again = path.join(temp.dir, 'again.md');
    expect((await cli('report', '--from', path.join(temp.dir, 'report.json'), '--out', again)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(markdown);
    // Calibrated floors (family auto) are explained under the targets; a gbdt-only run has none.
    expect(markdown).not.toContain('Its BA floor is calibrated');
    const evaluation = { ...report.plan.evaluation, calibrateFloors: true };
    const calibrated = renderHonestReport({ ...report, plan: { ...report.plan, evaluation } }, { qeFleet: '' });
    expect(calibrated).toContain('Its BA floor is calibrated inside the training rows of each hold-out');
    expect(DEFAULT_REPORT_DATA).toMatch(/flakeflagger-with-project\.csv(\.gz)?$/);
  }, 120_000);

  it('--jobs 3 runs each feature set in its own process and joins them into the same figures', async () => {
    const data = path.join(temp.dir, 'ff-jobs.csv');
    writeFileSync(data, flakeFlaggerLike(300, 3));
    const common = ['report', '--data', data, '--family', 'gbdt', '--holdout-seeds', '11', '--folds', '2'];
    const single = path.join(temp.dir, 'single.md');
    expect((await cli(...common, '--group-folds', '2', '--out', single)).code).toBe(0);
    const parallel = path.join(temp.dir, 'parallel.md');
    const bin = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');
    const run = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const argv = [bin, ...common, '--group-folds', '2', '--jobs', '3', '--out', parallel];
      execFile(process.execPath, argv, (e, _o, err) => resolve({ code: e === null ? 0 : (e.code as number), err }));
    });
    expect(run.code).toBe(0);
    expect(run.err).toContain('[set 2] + sibling history: hold-out seed 11');
    const read = (file: string) => JSON.parse(readFileSync(file.replace(/\.md$/, '.json'), 'utf8')) as HonestReport;
    const [a, b] = [read(single), read(parallel)];
    expect(b.sets.map((s) => s.name)).toEqual(['numeric only', '+ project', '+ sibling history']);
    expect(b.sets.map((s) => s.holdoutStats)).toEqual(a.sets.map((s) => s.holdoutStats));
    expect(b.sets.map((s) => s.crossValidation?.pooled)).toEqual(a.sets.map((s) => s.crossValidation?.pooled));
    expect(b.leaveProjectsOut?.pooled).toEqual(a.leaveProjectsOut?.pooled);
    expect(b.command).toContain('--jobs 3');
  }, 180_000);

  it('says plainly when a target is not met, with the measured figures', () => {
    const stats = (f1: number, ba: number) => ({
      f1: { mean: f1, sd: 0.01 },
      balancedAccuracy: { mean: ba, sd: 0.02 },
    });
    const report = {
      sets: [
        { name: 'numeric only', holdoutStats: stats(0.7, 0.87) },
        { name: '+ sibling history', holdoutStats: stats(0.73, 0.91) },
      ],
    } as unknown as HonestReport;
    const [numeric, history] = targetLines(report);
    expect(numeric).toContain('F1 0.700 ± 0.010, BA 0.870 ± 0.020');
    expect(numeric).toContain('**NOT met** (F1 short by 0.060)');
    expect(history).toMatch(/\| met \|$/);
  });

  it('gives one line per operating point: F1-tuned, BA-tuned, and one threshold for both', () => {
    const stats = (f1: number, ba: number) => ({
      f1: { mean: f1, sd: 0.01 },
      balancedAccuracy: { mean: ba, sd: 0.02 },
    });
    const points = { 'balanced accuracy': stats(0.5, 0.91), 'F1 at BA ≥ 0.86': stats(0.68, 0.865) };
    const report = {
      sets: [{ name: 'numeric only', holdoutStats: stats(0.7, 0.8), operatingPointStats: points }],
    } as unknown as HonestReport;
    const [f1Point, baPoint, both, ...rest] = targetLines(report);
    expect(rest.some((line) => line.includes('ceiling'))).toBe(false);
    expect(f1Point).toContain('| F1-tuned threshold | F1 0.700 ± 0.010, BA 0.800 ± 0.020 |');
    expect(baPoint).toContain('| BA-tuned threshold | F1 0.500 ± 0.010, BA 0.910 ± 0.020 |');
    expect(baPoint).toContain('| **NOT met** (F1 short by 0.260) |');
    expect(both).toContain('one threshold: best F1 with BA ≥ 0.86 in training |');
    expect(both).toContain('| F1 0.680 ± 0.010, BA 0.865 ± 0.020 |');
    expect(both).toContain('**NOT met** (F1 short by 0.080)');
  });

  it('adds the ceiling line (threshold picked on the test rows) and says whether the target is beyond it', () => {
    const stats = (f1: number, ba: number) => ({
      f1: { mean: f1, sd: 0.01 },
      balancedAccuracy: { mean: ba, sd: 0.02 },
    });
    const report = {
      sets: [
        {
          name: 'numeric only',
          holdoutStats: stats(0.7, 0.8),
          operatingPointStats: { 'F1 at BA ≥ 0.86': stats(0.68, 0.865) },
          ceilingStats: { 'F1 at BA ≥ 0.86': stats(0.71, 0.87) },
        },
        {
          name: '+ sibling history',
          holdoutStats: stats(0.7, 0.8),
          operatingPointStats: { 'F1 at BA ≥ 0.9': stats(0.7, 0.91) },
          ceilingStats: { 'F1 at BA ≥ 0.9': stats(0.74, 0.905) },
        },
      ],
    } as unknown as HonestReport;
    const lines = targetLines(report);
    const ceilings = lines.filter((line) => line.includes('ceiling:'));
    expect(ceilings).toHaveLength(2);
    expect(ceilings[0]).toContain('threshold picked on the test rows (not a result) | F1 0.710 ± 0.010, BA 0.870');
    expect(ceilings[0]).toContain('beyond this ranking: no threshold gets F1 0.76 at BA 0.86 (bound)');
    expect(ceilings[1]).toMatch(/\| within reach of this ranking \|$/);
  });
});
