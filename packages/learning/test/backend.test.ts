import { describe, expect, it } from '@jest/globals';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, selectBackend } from '../src/backend';

describe('selectBackend', () => {
  it('picks the best installed backend (wasm here: tfjs-node is absent) and reports it', async () => {
    const backend = await selectBackend('auto');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(activeBackend()).toBe(backend);
    expect(await selectBackend('auto')).toBe(backend);
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    expect(Array.from(sum)).toEqual([4, 6]);
  });

  const title =
    'asked for tfjs-node that is not installed, rejects with ERR_BACKEND_UNAVAILABLE' +
    ' (no silent fallback); cpu on request';
  it(title, async () => {
    await expect(selectBackend('tensorflow')).rejects.toMatchObject({
      code: 'ERR_BACKEND_UNAVAILABLE',
      backend: 'tensorflow',
      message: expect.stringContaining('@tensorflow/tfjs-node'),
    });
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(await selectBackend('wasm')).toBe('wasm');
  });
});
