import type { FleetLink } from '../messaging/fleet-link';
import {
  METHODS,
  parsePredict,
  parsePredictBatch,
  type PredictionAnswer,
  type PredictRequest,
} from '../messaging/protocol';
import type { FlakinessPredictor } from '../model/flakiness-predictor';
import { LatencyHistogram } from '../report/latency-histogram';

export interface AnalyserAgentOptions {
  readonly link: FleetLink;
  readonly predictor: FlakinessPredictor;
}

/** Serves flakiness predictions from the model to the fleet. */
export class AnalyserAgent {
  readonly latency = new LatencyHistogram();
  predictions = 0;
  fallbacks = 0;
  readonly #predictor: FlakinessPredictor;

  constructor(options: AnalyserAgentOptions) {
    this.#predictor = options.predictor;
    options.link.handle(METHODS.ping, () => ({
      agentId: options.link.agentId,
      role: 'analyser',
      model: this.#predictor.description,
    }));
    options.link.handle(METHODS.predict, (body) => this.#predict(parsePredict(body)));
    options.link.handle(METHODS.predictBatch, async (body) => {
      const predictions: PredictionAnswer[] = [];
      for (const request of parsePredictBatch(body)) predictions.push(await this.#predict(request));
      return { predictions };
    });
  }

  async #predict(request: PredictRequest): Promise<PredictionAnswer> {
    const startedAt = performance.now();
    const judgement = await this.#predictor.predict(request.features);
    const latencyMs = performance.now() - startedAt;
    this.latency.record(latencyMs);
    this.predictions += 1;
    if (judgement.fallback) this.fallbacks += 1;
    return {
      testId: request.testId,
      probability: judgement.probability,
      flaky: judgement.flaky,
      fallback: judgement.fallback,
      latencyMs,
    };
  }
}
