import { createLearningPredictor } from '../../src/model/learning-predictor';
import type { FlakinessPredictor } from '../../src/model/flakiness-predictor';
import type { SuiteTest } from '../../src/suite/types';

/**
 * Trains one real TF.js model per test file (few epochs: the tests check the fleet, not the
 * model) and hands it to every fleet; each fleet's dispose() leaves it alone.
 */
export function sharedPredictor(): {
  create: (training: readonly SuiteTest[]) => Promise<FlakinessPredictor>;
  dispose: () => void;
} {
  let trained: Promise<FlakinessPredictor> | undefined;
  return {
    create: async (training) => {
      trained ??= createLearningPredictor(training, { maxEpochs: 3 });
      const model = await trained;
      return { ...model, predict: (f) => model.predict(f), dispose: () => undefined };
    },
    dispose: () => {
      void trained?.then((m) => m.dispose());
    },
  };
}

/** Resolves when `predicate` holds for an event, or rejects after `timeoutMs`. */
export function eventWithin<T extends unknown[]>(
  emitter: {
    on(event: string, listener: (...args: T) => void): unknown;
    off(event: string, listener: (...args: T) => void): unknown;
  },
  event: string,
  predicate: (...args: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(...args: T): void {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    }
    emitter.on(event, listener);
  });
}
