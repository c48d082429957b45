import type { LabelledRows } from '../src/gbdt/boosting';
import type { GradientBoostedTrees } from '../src/gbdt/gbdt-model';
import { mulberry32 } from '../src/prng';
import type { Label } from '../src/types';

/** y = 1 exactly when x0 + x1 > 1 (a diagonal no single axis split can draw), plus two noise columns. */
export function diagonal(rows: number, seed: number): LabelledRows {
  const random = mulberry32(seed);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push([random(), random(), random() * 10, random() < 0.5 ? 1 : 0]);
  return { rows: out, labels: out.map((r): Label => (r[0] + r[1] > 1 ? 1 : 0)) };
}

/** Share of `data` the model classifies right at threshold 0.5. */
export const accuracy = (model: GradientBoostedTrees, data: LabelledRows): number =>
  data.rows.filter((row, i) => (model.probability(row) >= 0.5 ? 1 : 0) === data.labels[i]).length / data.rows.length;
