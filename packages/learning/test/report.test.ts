import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_REPORT_DATA, runCli } from '../src/cli';
import { mulberry32 } from '../src/prng';
import { targetLines } from '../src/report-render';
import type { HonestReport } from '../src/report-run';
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
    expect(result.err).toContain('numeric only: hold-out seed 11');
    const again = path.join(temp.dir, 'again.md');
    expect((await cli('report', '--from', path.join(temp.dir, 'report.json'), '--out', again)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(markdown);
    expect(DEFAULT_REPORT_DATA).toMatch(/flakeflagger-with-project\.csv(\.gz)?$/);
  }, 120_000);

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
});
