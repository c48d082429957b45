import path from 'node:path';
import { trainFlakinessModel } from '@agentlink/learning';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';

/** Trains a small model on FlakeFlagger and saves it; `invert` flips the labels: a model that is wrong on purpose. */
export async function savedModel(dir: string, invert: boolean): Promise<string> {
  const data = toDataset(await readFlakeFlaggerSuite(resolveDataDir(undefined, process.cwd())));
  const labels = invert ? data.labels.map((l) => (l === 1 ? 0 : 1)) : data.labels;
  // The analyser's own training settings (learning-predictor.ts), fewer epochs: accuracy about 0.87 on the suite.
  const options = { hiddenUnits: [32, 16], batchSize: 256, maxEpochs: 3, learningRate: 0.003, seed: 42 };
  const trained = await trainFlakinessModel({ ...data, labels }, options);
  const out = path.join(dir, invert ? 'bad-model' : 'model');
  await trained.model.save(out);
  trained.model.dispose();
  return out;
}

/** A promise and its resolve function. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
