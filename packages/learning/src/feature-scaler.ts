import { FeatureMismatchError } from './errors';

/**
 * How one column is transformed: standardised number, 0/1 indicator of a category, or an indicator never set in
 * training (always 0).
 */
export type ColumnKind = 'numeric' | 'indicator' | 'unseen-indicator';

/** Serialisable parameters of a fitted FeatureScaler. */
export interface ScalerParameters {
  readonly featureNames: readonly string[];
  /** Per feature: apply sign(x)·log1p(|x|) before standardising (heavy-tailed counts and times). */
  readonly logTransform: readonly boolean[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Per feature (absent = all 'numeric'): indicators pass through unscaled; unseen indicators become 0. */
  readonly kind?: readonly ColumnKind[];
}

const signedLog1p = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

/**
 * Log-compresses non-binary features, then standardises to zero mean and unit variance.
 * One-hot indicator columns (from categorical columns) pass through as 0/1, and an indicator that is
 * never 1 in the training rows is always 0, so a category unseen in training is the zero vector.
 * Fit it on the training part only: the statistics of validation or test rows must not leak in.
 */
export class FeatureScaler {
  private constructor(readonly parameters: ScalerParameters) {}

  /**
   * Learns the transform from training rows. Binary (0/1) features are left unlogged; `indicators` names one-hot
   * columns.
   */
  static fit(
    featureNames: readonly string[],
    rows: readonly (readonly number[])[],
    options: { indicators?: readonly string[] } = {},
  ): FeatureScaler {
    const width = featureNames.length;
    const indicators = new Set(options.indicators ?? []);
    const kind = featureNames.map((name, j): ColumnKind => {
      if (!indicators.has(name)) return 'numeric';
      return rows.some((row) => row[j] !== 0) ? 'indicator' : 'unseen-indicator';
    });
    const logTransform = featureNames.map(
      (_, j) => kind[j] === 'numeric' && rows.some((row) => row[j] !== 0 && row[j] !== 1),
    );
    const mean = new Array<number>(width).fill(0);
    const variance = new Array<number>(width).fill(0);
    const transformOne = (value: number, j: number): number => (logTransform[j] ? signedLog1p(value) : value);
    const numeric = featureNames.map((_, j) => j).filter((j) => kind[j] === 'numeric');
    for (const row of rows) for (const j of numeric) mean[j] += transformOne(row[j], j) / rows.length;
    for (const row of rows)
      for (const j of numeric) variance[j] += (transformOne(row[j], j) - mean[j]) ** 2 / rows.length;
    // A constant feature (and every indicator) keeps std 1 so it maps to itself minus the mean instead of dividing by
    // zero.
    const std = variance.map((v, j) => (kind[j] === 'numeric' && v > 1e-12 ? Math.sqrt(v) : 1));
    return new FeatureScaler({
      featureNames: [...featureNames],
      logTransform,
      mean,
      std,
      ...(indicators.size > 0 ? { kind } : {}),
    });
  }

  /** Restores a scaler saved with its `parameters`. */
  static fromParameters(parameters: ScalerParameters): FeatureScaler {
    const width = parameters.featureNames.length;
    if (
      [parameters.logTransform, parameters.mean, parameters.std, parameters.kind ?? parameters.mean].some(
        (values) => values.length !== width,
      )
    ) {
      throw new FeatureMismatchError(`scaler parameters do not all have ${width} entries`);
    }
    return new FeatureScaler(parameters);
  }

  get width(): number {
    return this.parameters.featureNames.length;
  }

  /** Names of the one-hot indicator columns (seen or not in training). */
  get indicatorNames(): readonly string[] {
    const { kind, featureNames } = this.parameters;
    return kind === undefined ? [] : featureNames.filter((_, j) => kind[j] !== 'numeric');
  }

  /** Transforms rows into a flat Float32Array (row-major) ready for a tensor. */
  transform(rows: readonly (readonly number[])[]): Float32Array {
    const { logTransform, mean, std, kind } = this.parameters;
    const width = this.width;
    const out = new Float32Array(rows.length * width);
    rows.forEach((row, i) => {
      if (row.length !== width)
        throw new FeatureMismatchError(
          `row ${i} has ${row.length} values, the model expects ${width} (${this.parameters.featureNames.join(', ')})`,
        );
      for (let j = 0; j < width; j++) {
        const columnKind = kind?.[j] ?? 'numeric';
        if (columnKind === 'numeric')
          out[i * width + j] = ((logTransform[j] ? signedLog1p(row[j]) : row[j]) - mean[j]) / std[j];
        else out[i * width + j] = columnKind === 'indicator' ? row[j] : 0;
      }
    });
    return out;
  }
}
