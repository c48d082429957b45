import { describe, expect, it } from '@jest/globals';
import { binOf, fitBins } from '../src/gbdt/binning';
import { trainGbdt, type LabelledRows } from '../src/gbdt/boosting';
import { GradientBoostedTrees } from '../src/gbdt/gbdt-model';
import { resolveGbdtOptions } from '../src/gbdt/gbdt-options';
import { accuracy, diagonal } from './tree-fixtures';
import { mulberry32 } from '../src/prng';
import type { Label } from '../src/types';

describe('histogram gradient boosting', () => {
  it('learns a known function (x0 + x1 > 1) to high accuracy on unseen rows', async () => {
    const fit = await trainGbdt(diagonal(800, 1), diagonal(200, 2), { maxIterations: 150, minSamplesLeaf: 5 });
    expect(accuracy(fit.model, diagonal(500, 3))).toBeGreaterThan(0.95);
  });

  it('is deterministic for a seed and differs with another seed', async () => {
    const options = { maxIterations: 20, rowSubsample: 0.7, featureFraction: 0.5 };
    const a = await trainGbdt(diagonal(300, 4), undefined, { ...options, seed: 7 });
    const b = await trainGbdt(diagonal(300, 4), undefined, { ...options, seed: 7 });
    const c = await trainGbdt(diagonal(300, 4), undefined, { ...options, seed: 8 });
    expect(JSON.stringify(a.model.parameters)).toBe(JSON.stringify(b.model.parameters));
    expect(JSON.stringify(c.model.parameters)).not.toBe(JSON.stringify(a.model.parameters));
  });

  it('bags: the log-odds are the mean of the members, each fitted from its own sampling seed', async () => {
    const options = { maxIterations: 15, rowSubsample: 0.7, featureFraction: 0.5, seed: 5 };
    const bagged = await trainGbdt(diagonal(300, 4), undefined, { ...options, bags: 3 });
    const members = await Promise.all(
      [0, 1, 2].map((b) => trainGbdt(diagonal(300, 4), undefined, { ...options, seed: 5 + 7919 * b })),
    );
    expect(bagged.model.treeCount).toBe(45);
    for (const row of diagonal(20, 9).rows) {
      const mean = members.reduce((sum, m) => sum + m.model.rawScore(row), 0) / 3;
      expect(bagged.model.rawScore(row)).toBeCloseTo(mean, 10);
    }
    // Members differ: a bag of 3 is not one model three times.
    expect(members[1].model.rawScore([0.5, 0.5, 5, 1])).not.toBe(members[0].model.rawScore([0.5, 0.5, 5, 1]));
  });

  it('stops early on validation loss and keeps the trees up to the best round', async () => {
    const random = mulberry32(5);
    const noise = (n: number): LabelledRows => {
      const rows = Array.from({ length: n }, () => [random(), random()]);
      return { rows, labels: rows.map((): Label => (random() < 0.5 ? 1 : 0)) };
    };
    const fit = await trainGbdt(noise(300), noise(150), {
      maxIterations: 300,
      earlyStoppingRounds: 10,
      minSamplesLeaf: 2,
    });
    expect(fit.stopReason).toBe('early-stopping');
    expect(fit.rounds.length).toBeLessThan(300);
    expect(fit.model.treeCount).toBe(fit.bestIteration);
    expect(fit.rounds.length).toBe(fit.bestIteration + 10);
  });

  it('class weighting raises the scores of a rare positive class', async () => {
    const random = mulberry32(6);
    const rows = Array.from({ length: 400 }, () => [random(), random()]);
    const data = { rows, labels: rows.map((r): Label => (r[0] > 0.9 && random() < 0.7 ? 1 : 0)) };
    const meanPositive = async (classWeighting: 'none' | 'balanced') => {
      const { model } = await trainGbdt(data, undefined, { maxIterations: 30, classWeighting });
      const scores = data.rows.filter((_, i) => data.labels[i] === 1).map((row) => model.probability(row));
      return scores.reduce((s, p) => s + p, 0) / scores.length;
    };
    expect(await meanPositive('balanced')).toBeGreaterThan((await meanPositive('none')) + 0.1);
  });

  it('bins few distinct values at their midpoints and many values into at most maxBins bins', () => {
    const [few, many] = fitBins(
      [Float64Array.from([0, 1, 1, 3]), Float64Array.from({ length: 1000 }, (_, i) => i)],
      16,
    );
    expect([...few]).toEqual([0.5, 2]);
    expect([binOf(few, 0), binOf(few, 1), binOf(few, 2.5), binOf(few, 99)]).toEqual([0, 1, 2, 2]);
    expect(many.length).toBe(15);
  });

  it('rejects malformed saved trees with ERR_MODEL_FORMAT naming the tree', () => {
    const good = {
      kind: 'gbdt',
      featureCount: 1,
      initScore: 0,
      trees: [
        { feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -1, 1] },
      ],
    };
    expect(GradientBoostedTrees.parse(good, 'm').probability([1])).toBeGreaterThan(0.5);
    const cyclic = { ...good, trees: [{ ...good.trees[0], left: [0, -1, -1] }] };
    expect(() => GradientBoostedTrees.parse(cyclic, 'm')).toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_FORMAT', message: expect.stringContaining('tree 0 node 0') }),
    );
    expect(() => GradientBoostedTrees.parse({ kind: 'gbdt' }, 'm')).toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_FORMAT' }),
    );
  });

  it('rejects invalid options with ERR_INVALID_OPTIONS naming the option', () => {
    expect(() => resolveGbdtOptions({ maxLeaves: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringContaining('maxLeaves') }),
    );
    expect(() => resolveGbdtOptions({ rowSubsample: 0 })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('rowSubsample') }),
    );
  });
});
