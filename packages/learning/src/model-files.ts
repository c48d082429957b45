import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from './errors';
import type { ScalerParameters } from './feature-scaler';
import type { GbdtParameters } from './gbdt/gbdt-model';
import type { HistoryTable } from './history-encoding';
import type { ModelFamily } from './model-family';

export const TOPOLOGY_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'flakiness-model.json';

/** Everything besides the network that a saved model needs to predict like the original. */
export interface ModelMetadata {
  readonly formatVersion: 1;
  readonly featureNames: readonly string[];
  readonly scaler: ScalerParameters;
  readonly threshold: number;
  /** Fitted test-history table (training rows only) when the model was trained with a history key. */
  readonly history?: HistoryTable;
  /** What predicts: the network (default, for files written before families existed), the trees, or both. */
  readonly family?: ModelFamily;
  /** Boosted trees of the 'gbdt' and 'ensemble' families (fitted on raw features plus history features). */
  readonly gbdt?: GbdtParameters;
  /** Share of the network in the 'ensemble' average. Default 0.5. */
  readonly networkWeight?: number;
  /** Free-form facts about training (seed, backend, options, validation metrics, date). */
  readonly training: Readonly<Record<string, unknown>>;
}

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Writes model.json + weights.bin (the TF.js layers format, when there is a network) and our
 * metadata with node:fs, no tfjs-node needed.
 */
export async function saveModelFiles(
  directory: string,
  network: tf.LayersModel | undefined,
  metadata: ModelMetadata,
): Promise<void> {
  await mkdir(directory, { recursive: true });
  if (network === undefined) {
    await writeFile(path.join(directory, METADATA_FILE), JSON.stringify(metadata, null, 2));
    return;
  }
  await network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights =
        artifacts.weightData === undefined
          ? new Uint8Array()
          : concatWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(path.join(directory, WEIGHTS_FILE), weights);
      await writeFile(path.join(directory, TOPOLOGY_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    }),
  );
  await writeFile(path.join(directory, METADATA_FILE), JSON.stringify(metadata, null, 2));
}

async function readJson(directory: string, file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path.join(directory, file), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(directory, `${file} is missing or not valid JSON`, error);
  }
}

/** Reads a directory written by `saveModelFiles`. */
export async function loadModelFiles(
  directory: string,
): Promise<{ network: tf.LayersModel | undefined; metadata: ModelMetadata }> {
  const metadata = (await readJson(directory, METADATA_FILE)) as unknown as ModelMetadata;
  if (
    metadata.formatVersion !== 1 ||
    !Array.isArray(metadata.featureNames) ||
    typeof metadata.threshold !== 'number' ||
    metadata.scaler === undefined
  ) {
    throw new ModelFormatError(directory, `${METADATA_FILE} lacks formatVersion 1, featureNames, threshold or scaler`);
  }
  if (metadata.family !== undefined && !['network', 'gbdt', 'ensemble'].includes(metadata.family)) {
    throw new ModelFormatError(directory, `${METADATA_FILE} names an unknown family "${String(metadata.family)}"`);
  }
  // A trees-only model has no TF.js files.
  if (metadata.family === 'gbdt') return { network: undefined, metadata };
  const modelJson = await readJson(directory, TOPOLOGY_FILE);
  const manifest = modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[] | undefined;
  if (modelJson.modelTopology === undefined || !Array.isArray(manifest))
    throw new ModelFormatError(directory, `${TOPOLOGY_FILE} lacks modelTopology or weightsManifest`);
  let weightBytes: Buffer;
  try {
    weightBytes = await readFile(path.join(directory, WEIGHTS_FILE));
  } catch (error) {
    throw new ModelFormatError(directory, `${WEIGHTS_FILE} is missing`, error);
  }
  const weightData = weightBytes.buffer.slice(
    weightBytes.byteOffset,
    weightBytes.byteOffset + weightBytes.byteLength,
  ) as ArrayBuffer;
  try {
    const network = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology as object,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData,
      }),
    );
    return { network, metadata };
  } catch (error) {
    throw new ModelFormatError(directory, `the network could not be rebuilt (${(error as Error).message})`, error);
  }
}
