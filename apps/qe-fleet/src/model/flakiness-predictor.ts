/** The analyser's view of a flakiness model: features in, a judgement out, within a budget. */
export interface FlakinessJudgement {
  /** Probability that the test is flaky, 0..1. */
  readonly probability: number;
  readonly flaky: boolean;
  /** True when the model missed its deadline or failed and a fallback answered. */
  readonly fallback: boolean;
}

/** A held-out test with its label, for FlakinessPredictor.evaluate. */
export interface EvaluationTest {
  readonly features: Readonly<Record<string, number>>;
  readonly flaky: boolean;
}

export interface FlakinessPredictor {
  /** Human-readable description (backend, threshold, where the model came from). */
  readonly description: string;
  predict(features: Readonly<Record<string, number>>): Promise<FlakinessJudgement>;
  /**
   * Scores the model on held-out labelled tests; the 'evaluation' event it emits sets telemetry's
   * neural_accuracy, neural_f1_score, ... gauges.
   */
  evaluate?(tests: readonly EvaluationTest[]): void;
  /** Event source for telemetry's instrumentModel ('prediction', 'evaluation'). */
  readonly telemetrySource?: {
    on(event: string, listener: (payload: never) => void): unknown;
    off(event: string, listener: (payload: never) => void): unknown;
  };
  dispose(): void;
}
