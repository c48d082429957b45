/**
 * Model families a FlakinessModel can hold: the TF.js dense network, histogram gradient-boosted
 * trees, or the average of both. 'auto' (training only) chooses among them by nested CV.
 */
export type ModelFamily = 'network' | 'gbdt' | 'ensemble';

export type FamilyChoice = ModelFamily | 'auto';

export const MODEL_FAMILIES: readonly ModelFamily[] = ['network', 'gbdt', 'ensemble'];

/** Does the family need the TF.js network (and so a TF.js backend)? */
export const usesNetwork = (family: ModelFamily): boolean => family !== 'gbdt';

/** Does the family need the boosted trees? */
export const usesTrees = (family: ModelFamily): boolean => family !== 'network';

/** The ensemble's probability: `networkWeight` · network + (1 − networkWeight) · trees. */
export function blend(network: ArrayLike<number>, trees: ArrayLike<number>, networkWeight: number): Float32Array {
  const out = new Float32Array(network.length);
  for (let i = 0; i < out.length; i++) out[i] = networkWeight * network[i] + (1 - networkWeight) * trees[i];
  return out;
}
