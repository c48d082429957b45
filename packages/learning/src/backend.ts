import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from './errors';
import type { BackendName } from './types';

/** Which backend to use: 'auto' tries tfjs-node, then wasm, then cpu. */
export type BackendPreference = 'auto' | BackendName;

// A variable specifier keeps bundlers and the type checker from requiring tfjs-node, which is
// optional (it needs a native build that is not available everywhere).
const TFJS_NODE = '@tensorflow/tfjs-node';

async function tryTensorflow(required: boolean): Promise<boolean> {
  try {
    await import(TFJS_NODE);
    if (await tf.setBackend('tensorflow')) return true;
    if (required)
      throw new BackendUnavailableError('tensorflow', '@tensorflow/tfjs-node is installed but did not initialise');
    return false;
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    // Asked for explicitly, a missing native backend is an error, never a silent fall back to a slower one.
    if (required)
      throw new BackendUnavailableError(
        'tensorflow',
        'install @tensorflow/tfjs-node (an optional peer dependency) or use --backend auto|wasm|cpu' +
          ` (${(error as Error).message})`,
        error,
      );
    return false;
  }
}

async function tryWasm(required: boolean): Promise<boolean> {
  try {
    const require = createRequire(import.meta.url);
    const distDirectory =
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(distDirectory);
    if (await tf.setBackend('wasm')) return true;
    if (required) throw new BackendUnavailableError('wasm', 'the wasm backend did not initialise');
    return false;
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    if (required) throw new BackendUnavailableError('wasm', (error as Error).message, error);
    return false;
  }
}

let selected: Promise<BackendName> | undefined;
let selectedFor: BackendPreference | undefined;

/**
 * Selects and initialises the TF.js backend once per process (later calls with the same
 * preference return the same answer) and returns its name, for every report to state. 'auto'
 * falls back (tensorflow, wasm, cpu); an explicit 'tensorflow' or 'wasm' that cannot be used
 * rejects with BackendUnavailableError (ERR_BACKEND_UNAVAILABLE).
 */
export function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendName> {
  if (selected !== undefined && selectedFor === preference) return selected;
  selectedFor = preference;
  selected = (async (): Promise<BackendName> => {
    if ((preference === 'auto' || preference === 'tensorflow') && (await tryTensorflow(preference === 'tensorflow')))
      return 'tensorflow';
    if ((preference === 'auto' || preference === 'wasm') && (await tryWasm(preference === 'wasm'))) return 'wasm';
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  // A failed explicit choice is not remembered: the next call tries again.
  selected.catch(() => {
    selected = undefined;
    selectedFor = undefined;
  });
  return selected;
}

/** Name of the backend TF.js is running on now. */
export function activeBackend(): string {
  return tf.getBackend();
}
