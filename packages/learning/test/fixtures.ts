import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../src/prng';
import type { Dataset, Label } from '../src/types';

/** A temporary directory removed by the returned cleanup. */
export function tempDirectory(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlink-learning-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a crafted CSV file and returns its path. */
export function writeCsv(dir: string, name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * A learnable synthetic data set: label 1 when a noisy linear score is high (about
 * `positiveShare` of rows), three informative features and one pure-noise feature, rows
 * spread over `groups` groups.
 */
export function syntheticDataset(
  rows: number,
  seed: number,
  options: { positiveShare?: number; groups?: number } = {},
): Dataset {
  const random = mulberry32(seed);
  const features: number[][] = [];
  const scores: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = random() * 4;
    const b = random() * 100;
    const c = random() < 0.5 ? 1 : 0;
    const noise = random();
    features.push([a, b, c, noise]);
    scores.push(a + b / 25 + 2 * c + (random() - 0.5));
  }
  const cut = [...scores].sort((x, y) => y - x)[Math.floor(rows * (options.positiveShare ?? 0.2))];
  const groups = options.groups ?? 4;
  return {
    featureNames: ['a', 'b', 'c', 'noise'],
    features,
    labels: scores.map((s): Label => (s > cut ? 1 : 0)),
    groups: features.map((_, i) => `g${i % groups}`),
    rowNumbers: features.map((_, i) => i + 2),
  };
}

/** The same data set as CSV text (with an id column to drop and a group column). */
export function datasetToCsv(dataset: Dataset): string {
  const lines = [['id', ...dataset.featureNames, 'label', 'group'].join(',')];
  dataset.features.forEach((row, i) =>
    lines.push([`t${i}`, ...row, dataset.labels[i], dataset.groups?.[i] ?? 'g'].join(',')),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Tests named `pkg.Class<k>.m<i>`: in "flaky" classes (every 4th) most tests are flaky, elsewhere
 * almost none. The numeric feature is noise, so only the class history carries signal.
 */
export function classHistoryCsv(classes: number, perClass: number, seed: number): string {
  const random = mulberry32(seed);
  const lines = ['name,noise,flaky'];
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < perClass; i++) {
      const flaky = k % 4 === 0 ? random() < 0.8 : random() < 0.03;
      lines.push(`pkg.Class${k}.m${i},${random().toFixed(4)},${flaky ? 1 : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
