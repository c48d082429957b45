import { describe, expect, it } from '@jest/globals';
import { coveredRows, innerSplits, outOfFoldScores } from '../src/out-of-fold';
import type { Dataset } from '../src/types';
import { syntheticDataset } from './fixtures';

const data = syntheticDataset(240, 9);
const indexes = data.labels.map((_, i) => i).filter((i) => i % 4 !== 0);

describe('out-of-fold predictions', () => {
  it('inner folds of the given rows test every row once and never train on a row they test', () => {
    const splits = innerSplits(data, indexes, 3, 1, false);
    expect(splits).toHaveLength(3);
    expect(coveredRows(splits)).toEqual(indexes);
    for (const split of splits) {
      const tested = new Set(split.test);
      expect(split.train.some((row) => tested.has(row))).toBe(false);
      expect([...split.train, ...split.test].every((row) => row % 4 !== 0)).toBe(true);
    }
  });

  it('grouped inner folds keep each group on one side', () => {
    for (const split of innerSplits(data, indexes, 2, 1, true)) {
      const trainGroups = new Set(split.train.map((row) => data.groups![row]));
      expect(split.test.some((row) => trainGroups.has(data.groups![row]))).toBe(false);
    }
  });

  it('forward-chaining folds of an ordered data set never cover the earliest block', () => {
    const ordered: Dataset = { ...data, order: data.labels.map((_, i) => i) };
    const covered = coveredRows(innerSplits(ordered, indexes, 3, 1, false));
    expect(covered.length).toBeLessThan(indexes.length);
    expect(covered).not.toContain(indexes[0]);
  });

  it('scores each covered row with labels aligned to its row, from models that did not see it', async () => {
    const splits = innerSplits(data, indexes, 3, 1, false);
    const seen: number[] = [];
    const oof = await outOfFoldScores(
      data,
      splits,
      { family: 'gbdt', gbdt: { maxIterations: 20, minSamplesLeaf: 5 } },
      {},
      (fold) => seen.push(fold),
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(oof.rows).toEqual(indexes);
    expect(oof.labels).toEqual(indexes.map((row) => data.labels[row]));
    expect(oof.scores).toHaveLength(indexes.length);
    // The synthetic label is learnable: out-of-fold scores rank flaky rows above the others.
    const mean = (label: number) => {
      const picked = oof.labels.map((l, k) => (l === label ? oof.scores[k] : -1)).filter((s) => s >= 0);
      return picked.reduce((a, b) => a + b, 0) / picked.length;
    };
    expect(mean(1)).toBeGreaterThan(mean(0) + 0.3);
  }, 30_000);
});
