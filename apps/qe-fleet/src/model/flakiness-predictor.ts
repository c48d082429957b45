/** The analyser's view of a flakiness model: features in, a judgement out, within a budget. */
export interface FlakinessJudgement {
  /** Probability that the test is flaky, 0..1. */
  readonly probability: number;
  readonly flaky: boolean;
  /** True when the model missed its deadline or failed and a fallback answered. */
  readonly fallback: boolean;
}

export interface FlakinessPredictor {
  /** Human-readable description (backend, threshold, where the model came from). */
  readonly description: string;
  predict(features: Readonly<Record<string, number>>): Promise<FlakinessJudgement>;
  /** Event source for telemetry's instrumentModel ('prediction', 'evaluation'). */
  readonly telemetrySource?: { on(event: string, listener: (payload: never) => void): unknown; off(event: string, listener: (payload: never) => void): unknown };
  dispose(): void;
}
