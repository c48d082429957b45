import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from './types';

/** Which backend to use: 'auto' tries tfjs-node, then wasm, then cpu. */
export type BackendPreference = 'auto' | BackendName;

// A variable specifier keeps bundlers and the type checker from requiring tfjs-node, which is
// optional (it needs a native build that is not available everywhere).
const TFJS_NODE = '@tensorflow/tfjs-node';

async function tryTensorflow(): Promise<boolean> {
  try {
    await import(TFJS_NODE);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const require = createRequire(import.meta.url);
    const distDirectory = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(distDirectory);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

let selected: Promise<BackendName> | undefined;
let selectedFor: BackendPreference | undefined;

/**
 * Selects and initialises the TF.js backend once per process (later calls with the same
 * preference return the same answer) and returns its name, for every report to state.
 */
export function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendName> {
  if (selected !== undefined && selectedFor === preference) return selected;
  selectedFor = preference;
  selected = (async (): Promise<BackendName> => {
    if ((preference === 'auto' || preference === 'tensorflow') && (await tryTensorflow())) return 'tensorflow';
    if ((preference === 'auto' || preference === 'wasm') && (await tryWasm())) return 'wasm';
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return selected;
}

/** Name of the backend TF.js is running on now. */
export function activeBackend(): string {
  return tf.getBackend();
}
