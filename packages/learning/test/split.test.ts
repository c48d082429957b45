import { describe, expect, it } from '@jest/globals';
import { InvalidOptionsError } from '@agentlink/resilience';
import { DatasetTooSmallError } from '../src/errors';
import { mulberry32, shuffled } from '../src/prng';
import { groupKFold, groupedSplit, stratifiedKFold, stratifiedSplit } from '../src/split';
import type { Label } from '../src/types';

const labels: Label[] = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0)); // 20 positives
const groups = labels.map((_, i) => `p${i % 7}`);
const positives = (rows: readonly number[]) => rows.filter((i) => labels[i] === 1).length;

describe('seeded PRNG', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(shuffled([1, 2, 3, 4, 5], mulberry32(1))).not.toEqual(shuffled([1, 2, 3, 4, 5], mulberry32(2)));
  });
});

describe('stratifiedSplit', () => {
  it('keeps the class share in both parts, is disjoint and complete, and repeats for a seed', () => {
    const split = stratifiedSplit(labels, { testFraction: 0.2, seed: 42 });
    expect(split.test).toHaveLength(40);
    expect(positives(split.test)).toBe(4);
    expect(positives(split.train)).toBe(16);
    expect(new Set([...split.train, ...split.test]).size).toBe(200);
    expect(stratifiedSplit(labels, { testFraction: 0.2, seed: 42 })).toEqual(split);
    expect(stratifiedSplit(labels, { testFraction: 0.2, seed: 43 }).test).not.toEqual(split.test);
  });

  it('splits a subset given by indexes and keeps one row of a tiny class on each side', () => {
    const split = stratifiedSplit(labels, { testFraction: 0.01, seed: 1, indexes: [0, 10, 1, 2, 3] });
    expect(positives(split.test)).toBe(1);
    expect(positives(split.train)).toBe(1);
    expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 10]);
  });

  it('rejects bad fractions and unsplittable data', () => {
    expect(() => stratifiedSplit(labels, { testFraction: 1, seed: 1 })).toThrow(InvalidOptionsError);
    expect(() => stratifiedSplit([1], { testFraction: 0.5, seed: 1 })).toThrow(DatasetTooSmallError);
  });
});

describe('stratifiedKFold', () => {
  it('puts every row in exactly one test fold with two positives in each', () => {
    const folds = stratifiedKFold(labels, { folds: 10, seed: 3 });
    expect(folds).toHaveLength(10);
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const fold of folds) {
      expect(positives(fold.test)).toBe(2);
      expect(fold.train.length + fold.test.length).toBe(200);
      expect(fold.train.some((i) => fold.test.includes(i))).toBe(false);
    }
  });

  it('refuses more folds than rows of the minority class', () => {
    expect(() => stratifiedKFold(labels, { folds: 21, seed: 1 })).toThrow(DatasetTooSmallError);
    expect(() => stratifiedKFold(labels, { folds: 1, seed: 1 })).toThrow(InvalidOptionsError);
  });
});

describe('grouped splits', () => {
  it('groupKFold never puts a group on both sides and covers every row once', () => {
    const folds = groupKFold(labels, groups, { folds: 3, seed: 5 });
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const fold of folds) {
      const testGroups = new Set(fold.test.map((i) => groups[i]));
      expect(fold.train.some((i) => testGroups.has(groups[i]))).toBe(false);
      expect(positives(fold.test)).toBeGreaterThan(0);
    }
    expect(() => groupKFold(labels, groups, { folds: 8, seed: 5 })).toThrow(DatasetTooSmallError);
  });

  it('groupedSplit holds out whole groups near the requested share, seeded', () => {
    const split = groupedSplit(labels, groups, { testFraction: 0.3, seed: 9 });
    const testGroups = new Set(split.test.map((i) => groups[i]));
    expect(split.train.some((i) => testGroups.has(groups[i]))).toBe(false);
    expect(split.test.length).toBeGreaterThanOrEqual(60);
    expect(split.train.length).toBeGreaterThan(0);
    expect(groupedSplit(labels, groups, { testFraction: 0.3, seed: 9 })).toEqual(split);
    expect(() =>
      groupedSplit(
        labels,
        labels.map(() => 'one'),
        { testFraction: 0.3, seed: 9 },
      ),
    ).toThrow(DatasetTooSmallError);
  });
});
