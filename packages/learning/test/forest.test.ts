import { describe, expect, it } from '@jest/globals';
import { binColumns, fitBins, toColumns } from '../src/gbdt/binning';
import { trainGbdt } from '../src/gbdt/boosting';
import { GradientBoostedTrees } from '../src/gbdt/gbdt-model';
import { resolveGbdtOptions } from '../src/gbdt/gbdt-options';
import { growTree } from '../src/gbdt/grow-tree';
import { bestSplit, binnedData, buildHistogram } from '../src/gbdt/histogram';
import { treeOutput } from '../src/gbdt/tree';
import { selectAndTrain } from '../src/select-model';
import { stratifiedSplit } from '../src/split';
import { syntheticDataset } from './fixtures';
import { accuracy, diagonal } from './tree-fixtures';

describe('random forest (trees mode forest / both)', () => {
  it('learns a known function; its probability is the mean of its trees’ leaf shares', async () => {
    const fit = await trainGbdt(diagonal(800, 1), undefined, { mode: 'forest', forestTrees: 40 });
    const { forest, trees } = fit.model.parameters;
    expect(trees).toEqual([]);
    expect(forest).toHaveLength(40);
    expect(accuracy(fit.model, diagonal(500, 3))).toBeGreaterThan(0.93);
    for (const row of diagonal(20, 4).rows) {
      const mean = forest!.reduce((sum, tree) => sum + treeOutput(tree, row), 0) / forest!.length;
      expect(fit.model.probability(row)).toBeCloseTo(mean, 12);
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1);
    }
  });

  it('grows fully: every leaf of a tree is pure on its bootstrap rows (leaf values 0 or 1)', async () => {
    const fit = await trainGbdt(diagonal(300, 5), undefined, { mode: 'forest', forestTrees: 3 });
    for (const tree of fit.model.parameters.forest!) {
      const leaves = tree.value.filter((_, node) => tree.feature[node] < 0);
      expect(leaves.every((value) => value === 0 || value === 1)).toBe(true);
    }
  });

  it('draws forestFeatures features per split and a bootstrap per tree: roots vary with 1, not all', async () => {
    const roots = async (forestFeatures: number) => {
      const fit = await trainGbdt(diagonal(400, 6), undefined, { mode: 'forest', forestTrees: 30, forestFeatures });
      return new Set(fit.model.parameters.forest!.map((tree) => tree.feature[0]));
    };
    // All 4 features at every split: the root always takes an informative one (x0 or x1).
    expect([...(await roots(4))].every((f) => f === 0 || f === 1)).toBe(true);
    expect((await roots(1)).size).toBeGreaterThanOrEqual(3);
    const fit = await trainGbdt(diagonal(400, 6), undefined, { mode: 'forest', forestTrees: 2, forestFeatures: 4 });
    const [a, b] = fit.model.parameters.forest!;
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it("mode 'both' averages the forest and the boosted trees with forestWeight, deterministically", async () => {
    const options = { maxIterations: 20, forestTrees: 10, seed: 3 };
    const both = await trainGbdt(diagonal(300, 7), undefined, { ...options, mode: 'both', forestWeight: 0.25 });
    const again = await trainGbdt(diagonal(300, 7), undefined, { ...options, mode: 'both', forestWeight: 0.25 });
    const forest = await trainGbdt(diagonal(300, 7), undefined, { ...options, mode: 'forest' });
    const boosted = await trainGbdt(diagonal(300, 7), undefined, { ...options, mode: 'boosting' });
    expect(JSON.stringify(again.model.parameters)).toBe(JSON.stringify(both.model.parameters));
    for (const row of diagonal(10, 8).rows) {
      const expected = 0.25 * forest.model.probability(row) + 0.75 * boosted.model.probability(row);
      expect(both.model.probability(row)).toBeCloseTo(expected, 12);
    }
    const parsed = GradientBoostedTrees.parse(JSON.parse(JSON.stringify(both.model.parameters)), 'm');
    expect(parsed.probability([0.9, 0.8, 1, 0])).toBe(both.model.probability([0.9, 0.8, 1, 0]));
  });

  it('forestOnValidation: the forest also learns from the validation rows', async () => {
    const [train, validation] = [diagonal(200, 11), diagonal(100, 12)];
    const options = { mode: 'forest', forestTrees: 5 } as const;
    const on = await trainGbdt(train, validation, { ...options, forestOnValidation: true });
    const off = await trainGbdt(train, validation, options);
    const all = { rows: [...train.rows, ...validation.rows], labels: [...train.labels, ...validation.labels] };
    const expected = await trainGbdt(all, undefined, options);
    expect(JSON.stringify(on.model.parameters)).toBe(JSON.stringify(expected.model.parameters));
    expect(JSON.stringify(off.model.parameters)).not.toBe(JSON.stringify(on.model.parameters));
  });

  it('depth-first growth (one path of histograms) gives the tree of best-first without a leaf limit', () => {
    const data = diagonal(300, 9);
    const columns = toColumns(data.rows, 4);
    const bounds = fitBins(columns, 64);
    const binned = binnedData(binColumns(columns, bounds), 300, bounds.map((b) => b.length + 1));
    const gradients = Float64Array.from(data.labels, (y) => -y);
    const context = {
      data: binned,
      bounds,
      gradients,
      hessians: new Float64Array(300).fill(1),
      maxLeaves: 1e9,
      maxDepth: 64,
      minSamplesLeaf: 1,
      l2: 0,
      learningRate: 1,
    };
    const rows = Uint32Array.from({ length: 300 }, (_, i) => i);
    const grow = (depthFirst: boolean) => growTree({ ...context, depthFirst }, rows, [0, 1, 2, 3]).build();
    const [dfs, best] = [grow(true), grow(false)];
    expect(dfs.value.length).toBe(best.value.length);
    for (const row of diagonal(200, 10).rows) expect(treeOutput(dfs, row)).toBe(treeOutput(best, row));
  });

  it("forestCriterion 'entropy' splits by information gain where the Gini gain disagrees", async () => {
    // 100 rows, 40 flaky. x0 = 1 isolates 2 flaky rows; x1 = 1 isolates 4 sound rows. The Gini gain prefers
    // x0 (0.735 against 0.667), the information gain x1 (2.099 nats against 1.863).
    const rows = Array.from({ length: 100 }, (_, i) => [i < 2 ? 1 : 0, i >= 96 ? 1 : 0]);
    const labels = rows.map((_, i) => (i < 40 ? 1 : 0) as 0 | 1);
    const columns = toColumns(rows, 2);
    const bounds = fitBins(columns, 8);
    const data = binnedData(binColumns(columns, bounds), 100, [2, 2]);
    const gradients = Float64Array.from(labels, (y) => -y);
    const hessians = new Float64Array(100).fill(1);
    const members = Uint32Array.from({ length: 100 }, (_, i) => i);
    const histogram = buildHistogram(data, members, gradients, hessians, [0, 1]);
    const totals = { gradient: -40, hessian: 100, count: 100 };
    const limits = { l2: 0, minSamplesLeaf: 1, minHessian: 1e-3 };
    const gini = bestSplit(data, histogram, totals, [0, 1], limits)!;
    const entropy = bestSplit(data, histogram, totals, [0, 1], { ...limits, criterion: 'entropy' })!;
    expect([gini.feature, entropy.feature]).toEqual([0, 1]);
    const mass = (p: number, n: number) =>
      -(p > 0 ? p * Math.log(p / n) : 0) - (n > p ? (n - p) * Math.log(1 - p / n) : 0);
    expect(entropy.gain).toBeCloseTo(mass(40, 100) - mass(40, 96) - mass(0, 4), 10);
    // Wired through the forest options: same seed, same bootstraps, other trees.
    const options = { mode: 'forest', forestTrees: 5, seed: 4 } as const;
    const a = await trainGbdt(diagonal(300, 13), undefined, options);
    const b = await trainGbdt(diagonal(300, 13), undefined, { ...options, forestCriterion: 'entropy' });
    expect(JSON.stringify(b.model.parameters.forest)).not.toBe(JSON.stringify(a.model.parameters.forest));
    expect(accuracy(b.model, diagonal(500, 3))).toBeGreaterThan(0.9);
  });

  it('rejects bad forest options and saved forests with typed errors naming the field', () => {
    expect(() => resolveGbdtOptions({ mode: 'jungle' as 'forest' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringContaining('mode') }),
    );
    expect(() => resolveGbdtOptions({ forestWeight: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringContaining('forestWeight') }),
    );
    expect(() => resolveGbdtOptions({ forestFeatures: -1 })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('forestFeatures') }),
    );
    expect(() => resolveGbdtOptions({ forestCriterion: 'log_loss' as 'entropy' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringContaining('forestCriterion') }),
    );
    const leaf = { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0.5] };
    const base = { kind: 'gbdt', featureCount: 1, initScore: 0, trees: [] };
    expect(GradientBoostedTrees.parse({ ...base, forest: [leaf] }, 'm').probability([0])).toBe(0.5);
    expect(() => GradientBoostedTrees.parse({ ...base, forest: [leaf], forestWeight: 2 }, 'm')).toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_FORMAT', message: expect.stringContaining('forestWeight') }),
    );
    const outside = { ...leaf, feature: [3, -1, -1], left: [1, -1, -1], right: [2, -1, -1], value: [0, 0, 1] };
    expect(() => GradientBoostedTrees.parse({ ...base, forest: [{ ...outside, threshold: [0, 0, 0] }] }, 'm')).toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_FORMAT', message: expect.stringContaining('forest tree 0 node 0') }),
    );
  });

  it('nested selection also scores the average of the best boosted trees and the forest (mode both)', async () => {
    const data = syntheticDataset(300, 12);
    const { train } = stratifiedSplit(data.labels, { testFraction: 0.25, seed: 2 });
    const chosen = await selectAndTrain(data, {
      families: ['gbdt'],
      gbdtGrid: [{ maxIterations: 30, minSamplesLeaf: 5 }, { mode: 'forest', forestTrees: 20 }],
      innerFolds: 3,
      indexes: train,
    });
    const modes = chosen.selection.candidates.map((c) => c.gbdt?.mode ?? 'boosting');
    expect(modes).toEqual(['boosting', 'forest', 'both']);
    const both = chosen.selection.candidates[2];
    expect(both.gbdt).toMatchObject({ maxIterations: 30, minSamplesLeaf: 5, forestTrees: 20, forestWeight: 0.5 });
    expect(chosen.selection.chosen.score).toBe(Math.max(...chosen.selection.candidates.map((c) => c.score)));
    chosen.model.dispose();
  });
});
