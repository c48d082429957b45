import { InvalidOptionsError } from '@agentlink/resilience';
import { DatasetTooSmallError } from './errors';
import { mulberry32, shuffled, type Random } from './prng';
import type { Label } from './types';

/** Row indexes of one train/test partition. */
export interface Split {
  readonly train: readonly number[];
  readonly test: readonly number[];
}

function requireFraction(name: string, value: number): void {
  if (!(value > 0 && value < 1))
    throw new InvalidOptionsError(`${name} must be strictly between 0 and 1, got ${value}`);
}

function requireFolds(folds: number, available: number, what: string): void {
  if (!Number.isInteger(folds) || folds < 2)
    throw new InvalidOptionsError(`folds must be an integer >= 2, got ${folds}`);
  if (available < folds)
    throw new DatasetTooSmallError(`${folds} folds need at least ${folds} ${what}, found ${available}`);
}

function byClass(indexes: readonly number[], labels: readonly Label[], random: Random): [number[], number[]] {
  const positives = shuffled(
    indexes.filter((i) => labels[i] === 1),
    random,
  );
  const negatives = shuffled(
    indexes.filter((i) => labels[i] === 0),
    random,
  );
  return [positives, negatives];
}

function rowsByGroup(indexes: readonly number[], groups: readonly string[]): Map<string, number[]> {
  const members = new Map<string, number[]>();
  for (const i of indexes) {
    const rows = members.get(groups[i]);
    if (rows === undefined) members.set(groups[i], [i]);
    else rows.push(i);
  }
  return members;
}

const ascending = (a: number, b: number): number => a - b;

/**
 * Stratified, seeded split of `indexes` (default: all rows): each class contributes
 * round(testFraction × its count) rows to the test part, at least one when it has two or more.
 */
export function stratifiedSplit(
  labels: readonly Label[],
  options: { testFraction: number; seed: number; indexes?: readonly number[] },
): Split {
  requireFraction('testFraction', options.testFraction);
  const indexes = options.indexes ?? labels.map((_, i) => i);
  const random = mulberry32(options.seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const members of byClass(indexes, labels, random)) {
    let take = Math.round(members.length * options.testFraction);
    if (take === 0 && members.length >= 2) take = 1;
    if (take === members.length && members.length > 0) take = members.length - 1;
    test.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  if (train.length === 0 || test.length === 0)
    throw new DatasetTooSmallError(`cannot split ${indexes.length} rows into non-empty train and test parts`);
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/** Stratified, seeded k-fold: every row is in exactly one test fold; class shares match in every fold. */
export function stratifiedKFold(labels: readonly Label[], options: { folds: number; seed: number }): Split[] {
  const [positives, negatives] = byClass(
    labels.map((_, i) => i),
    labels,
    mulberry32(options.seed),
  );
  requireFolds(options.folds, Math.min(positives.length, negatives.length), 'rows of each class');
  const testFolds: number[][] = Array.from({ length: options.folds }, () => []);
  // Dealing classes in turn keeps each fold's class balance within one row of the whole's.
  [...positives, ...negatives].forEach((row, i) => testFolds[i % options.folds].push(row));
  return testFolds.map((test) => {
    const inTest = new Set(test);
    return { train: labels.map((_, i) => i).filter((i) => !inTest.has(i)), test: test.sort(ascending) };
  });
}

/**
 * Partitions whole groups (e.g. projects) into `folds` test folds, seeded; groups are dealt
 * largest-positive-count first to the fold with the fewest positives so far, so every fold
 * sees some of the positive class. A group is never in both train and test.
 */
export function groupKFold(
  labels: readonly Label[],
  groups: readonly string[],
  options: { folds: number; seed: number; indexes?: readonly number[] },
): Split[] {
  const indexes = options.indexes ?? labels.map((_, i) => i);
  const members = rowsByGroup(indexes, groups);
  requireFolds(options.folds, members.size, 'groups');
  const positivesOf = (rows: readonly number[]): number => rows.filter((i) => labels[i] === 1).length;
  const order = shuffled([...members.keys()], mulberry32(options.seed)).sort(
    (a, b) => positivesOf(members.get(b)!) - positivesOf(members.get(a)!),
  );
  const folds = Array.from({ length: options.folds }, () => ({ rows: [] as number[], positives: 0, groups: 0 }));
  for (const group of order) {
    const rows = members.get(group)!;
    const target = folds.reduce((best, fold) =>
      fold.positives < best.positives || (fold.positives === best.positives && fold.rows.length < best.rows.length)
        ? fold
        : best,
    );
    target.rows.push(...rows);
    target.positives += positivesOf(rows);
    target.groups++;
  }
  return folds.map((fold) => {
    const inTest = new Set(fold.rows);
    return { train: indexes.filter((i) => !inTest.has(i)), test: [...fold.rows].sort(ascending) };
  });
}

/** Seeded grouped hold-out: whole groups go to the test part until it holds about `testFraction` of the rows. */
export function groupedSplit(
  labels: readonly Label[],
  groups: readonly string[],
  options: { testFraction: number; seed: number; indexes?: readonly number[] },
): Split {
  requireFraction('testFraction', options.testFraction);
  const indexes = options.indexes ?? labels.map((_, i) => i);
  const members = rowsByGroup(indexes, groups);
  if (members.size < 2)
    throw new DatasetTooSmallError(`a grouped split needs at least 2 groups, found ${members.size}`);
  const target = indexes.length * options.testFraction;
  const test: number[] = [];
  const order = shuffled([...members.keys()], mulberry32(options.seed));
  for (const group of order.slice(0, -1)) {
    if (test.length >= target) break;
    test.push(...members.get(group)!);
  }
  const inTest = new Set(test);
  return { train: indexes.filter((i) => !inTest.has(i)), test: test.sort(ascending) };
}

/**
 * Time-ordered split: the latest rows (about `testFraction` of `indexes`) are the test part, the
 * earlier ones the training part; rows of the same time stay on one side (ties go to test), so a
 * CI cycle sharing one time is never cut.
 */
export function orderedSplit(
  order: readonly number[],
  options: { testFraction: number; indexes?: readonly number[] },
): Split {
  requireFraction('testFraction', options.testFraction);
  const indexes = [...(options.indexes ?? order.map((_, i) => i))].sort((a, b) => order[a] - order[b] || a - b);
  let cut = Math.round(indexes.length * (1 - options.testFraction));
  while (cut > 0 && order[indexes[cut - 1]] === order[indexes[cut]]) cut--;
  if (cut === 0 || cut === indexes.length)
    throw new DatasetTooSmallError(`the time order gives no earlier and later rows to split (${indexes.length} rows)`);
  return { train: indexes.slice(0, cut).sort(ascending), test: indexes.slice(cut).sort(ascending) };
}

/**
 * Forward-chaining folds for time-ordered rows: the rows are cut by time into `folds + 1` blocks
 * and fold k trains on blocks 0..k and tests on block k + 1 (no fold sees its future).
 */
export function timeSeriesFolds(
  order: readonly number[],
  options: { folds: number; indexes?: readonly number[] },
): Split[] {
  const indexes = [...(options.indexes ?? order.map((_, i) => i))].sort((a, b) => order[a] - order[b] || a - b);
  requireFolds(options.folds, indexes.length - 1, 'rows');
  const bounds = Array.from({ length: options.folds + 2 }, (_, b) =>
    Math.round((b * indexes.length) / (options.folds + 1)),
  );
  const splits: Split[] = [];
  for (let k = 1; k <= options.folds; k++) {
    const train = indexes.slice(0, bounds[k]);
    const test = indexes.slice(bounds[k], bounds[k + 1]);
    if (train.length > 0 && test.length > 0) splits.push({ train: train.sort(ascending), test: test.sort(ascending) });
  }
  return splits;
}
