import { FlakinessModel, selectBackend, trainFlakinessModel, type Dataset } from '@agentlink/learning';
import { SuiteDataError } from '../errors';
import type { SuiteTest } from '../suite/types';
import type { FlakinessPredictor } from './flakiness-predictor';

export interface LearningPredictorOptions {
  /** Directory of a model saved by @agentlink/learning; loaded instead of training. */
  readonly modelDir?: string;
  /** Seed of the training. Default 42. */
  readonly seed?: number;
  /** Epoch limit of the start-up training (kept small: the whole run must fit in two minutes). Default 12. */
  readonly maxEpochs?: number;
  /** Prediction budget in ms. Default 100. */
  readonly deadlineMs?: number;
  readonly log?: (line: string) => void;
}

/** The FlakeFlagger tests as a @agentlink/learning data set (features in CSV column order, project groups). */
export function toDataset(tests: readonly SuiteTest[]): Dataset {
  if (tests.length === 0) throw new SuiteDataError('no tests to train on');
  const featureNames = Object.keys(tests[0]!.features);
  return {
    featureNames,
    features: tests.map((t) => featureNames.map((name) => t.features[name] ?? Number.NaN)),
    labels: tests.map((t) => (t.flaky ? 1 : 0)),
    groups: tests.map((t) => t.project),
    rowNumbers: tests.map((_, i) => i + 2),
  };
}

function wrap(model: FlakinessModel, description: string): FlakinessPredictor {
  return {
    description,
    telemetrySource: model as unknown as FlakinessPredictor['telemetrySource'],
    async predict(features) {
      const answer = await model.predict(features);
      return {
        probability: answer.probability ?? (answer.flaky ? 1 : 0),
        flaky: answer.flaky,
        fallback: answer.fallback,
      };
    },
    evaluate(tests) {
      if (tests.length > 0) {
        model.evaluate(
          tests.map((t) => t.features),
          tests.map((t) => (t.flaky ? 1 : 0)),
        );
      }
    },
    dispose: () => model.dispose(),
  };
}

/** Loads the saved model, or trains a small one on the given tests (which exclude the suite). */
export async function createLearningPredictor(
  trainingSet: readonly SuiteTest[],
  options: LearningPredictorOptions = {},
): Promise<FlakinessPredictor> {
  const log = options.log ?? (() => undefined);
  if (options.modelDir !== undefined) {
    // FlakinessModel.load needs a ready TF.js backend; in a fresh process nothing has made one yet.
    await selectBackend();
    const model = await FlakinessModel.load(options.modelDir, { deadlineMs: options.deadlineMs });
    log(`analyser: loaded model from ${options.modelDir} (threshold ${model.threshold.toFixed(3)})`);
    return wrap(model, `loaded from ${options.modelDir}`);
  }
  const startedAt = performance.now();
  const trained = await trainFlakinessModel(toDataset(trainingSet), {
    hiddenUnits: [32, 16],
    batchSize: 256,
    maxEpochs: options.maxEpochs ?? 12,
    patience: 4,
    learningRate: 0.003,
    seed: options.seed ?? 42,
    deadlineMs: options.deadlineMs,
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const details = [
    trained.backend,
    `${trained.history.epochs.length} epochs`,
    `validation F1 ${trained.validation.f1.toFixed(3)}`,
    `threshold ${trained.model.threshold.toFixed(3)}`,
  ].join(', ');
  log(`analyser: trained on ${trainingSet.length} tests in ${seconds} s (${details})`);
  return wrap(trained.model, `trained at start-up on ${trainingSet.length} tests (${trained.backend})`);
}
