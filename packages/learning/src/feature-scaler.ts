import { FeatureMismatchError } from './errors';

/** Serialisable parameters of a fitted FeatureScaler. */
export interface ScalerParameters {
  readonly featureNames: readonly string[];
  /** Per feature: apply sign(x)·log1p(|x|) before standardising (heavy-tailed counts and times). */
  readonly logTransform: readonly boolean[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

const signedLog1p = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

/**
 * Log-compresses non-binary features, then standardises to zero mean and unit variance.
 * Fit it on the training part only: the statistics of validation or test rows must not leak in.
 */
export class FeatureScaler {
  private constructor(readonly parameters: ScalerParameters) {}

  /** Learns the transform from training rows. Binary (0/1) features are left unlogged. */
  static fit(featureNames: readonly string[], rows: readonly (readonly number[])[]): FeatureScaler {
    const width = featureNames.length;
    const logTransform = featureNames.map((_, j) => rows.some((row) => row[j] !== 0 && row[j] !== 1));
    const mean = new Array<number>(width).fill(0);
    const variance = new Array<number>(width).fill(0);
    const transformOne = (value: number, j: number): number => (logTransform[j] ? signedLog1p(value) : value);
    for (const row of rows) for (let j = 0; j < width; j++) mean[j] += transformOne(row[j], j) / rows.length;
    for (const row of rows) for (let j = 0; j < width; j++) variance[j] += (transformOne(row[j], j) - mean[j]) ** 2 / rows.length;
    // A constant feature keeps std 1 so it maps to 0 instead of dividing by zero.
    const std = variance.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1));
    return new FeatureScaler({ featureNames: [...featureNames], logTransform, mean, std });
  }

  /** Restores a scaler saved with its `parameters`. */
  static fromParameters(parameters: ScalerParameters): FeatureScaler {
    const width = parameters.featureNames.length;
    if ([parameters.logTransform, parameters.mean, parameters.std].some((values) => values.length !== width)) {
      throw new FeatureMismatchError(`scaler parameters do not all have ${width} entries`);
    }
    return new FeatureScaler(parameters);
  }

  get width(): number {
    return this.parameters.featureNames.length;
  }

  /** Transforms rows into a flat Float32Array (row-major) ready for a tensor. */
  transform(rows: readonly (readonly number[])[]): Float32Array {
    const { logTransform, mean, std } = this.parameters;
    const width = this.width;
    const out = new Float32Array(rows.length * width);
    rows.forEach((row, i) => {
      if (row.length !== width) throw new FeatureMismatchError(`row ${i} has ${row.length} values, the model expects ${width} (${this.parameters.featureNames.join(', ')})`);
      for (let j = 0; j < width; j++) {
        const value = logTransform[j] ? signedLog1p(row[j]) : row[j];
        out[i * width + j] = (value - mean[j]) / std[j];
      }
    });
    return out;
  }
}
