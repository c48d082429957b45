import { CliUsageError } from './cli-usage-error';
import type { ThresholdObjective } from './threshold';

const OBJECTIVE_FLAGS: Readonly<Record<string, ThresholdObjective>> = {
  f1: 'f1',
  'balanced-accuracy': 'balancedAccuracy',
  balancedAccuracy: 'balancedAccuracy',
  accuracy: 'accuracy',
  'precision@recall': 'precisionAtRecall',
  mcc: 'mcc',
};

/** `--objective` (or the older `--threshold-objective`) as a threshold objective; a usage error when unknown. */
export function parseObjective(
  objective: string | undefined,
  legacy: string | undefined,
): ThresholdObjective | undefined {
  if (objective !== undefined && legacy !== undefined)
    throw new CliUsageError('give --objective or --threshold-objective, not both');
  const given = objective ?? legacy;
  if (given === undefined) return undefined;
  const parsed = OBJECTIVE_FLAGS[given];
  if (parsed === undefined)
    throw new CliUsageError(
      `--objective must be f1, balanced-accuracy, accuracy, precision@recall or mcc, got ${given}`,
    );
  return parsed;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

const NETWORK_FLAGS = ['epochs', 'patience', 'hidden', 'ensemble', 'dropout', 'learning-rate', 'batch-size'];

/**
 * Options that were given but would change nothing, as warnings (the run goes on); options whose
 * silent no-op would mislead (a time order with k-fold CV) are usage errors instead.
 */
export function ineffectiveOptions(command: string, values: Values): string[] {
  const warnings: string[] = [];
  const given = (flag: string): boolean => values[flag] !== undefined;
  const mode = (values.mode as string | undefined) ?? 'holdout';
  const objective = (values.objective ?? values['threshold-objective']) as string | undefined;
  if (given('min-recall') && objective !== 'precision@recall')
    throw new CliUsageError('--min-recall needs --objective precision@recall');
  if (given('order') && command === 'evaluate' && (mode === 'cv' || mode === 'lpo' || mode === 'all')) {
    throw new CliUsageError(
      `--order makes splits time-ordered; --mode ${mode} would train on the future: use --mode holdout`,
    );
  }
  if (command === 'predict' || command === 'join') {
    for (const flag of ['group', 'order', 'family', 'objective', 'seed', 'folds'])
      if (given(flag)) warnings.push(`--${flag} has no effect on ${command}`);
    return warnings;
  }
  if (given('model') && command === 'evaluate') {
    for (const flag of ['family', 'group', 'order', 'mode', 'folds'])
      if (given(flag)) warnings.push(`--${flag} has no effect when evaluating a saved --model`);
  }
  if (command === 'evaluate' && given('folds') && mode !== 'cv' && mode !== 'all')
    warnings.push(`--folds has no effect with --mode ${mode}`);
  if (command === 'evaluate' && given('group-folds') && mode !== 'lpo' && mode !== 'all')
    warnings.push(`--group-folds has no effect with --mode ${mode}`);
  if (command === 'train' && (given('folds') || given('group-folds')))
    warnings.push('--folds and --group-folds have no effect on train');
  if (given('inner-folds') && values.family !== undefined && values.family !== 'auto')
    warnings.push('--inner-folds has no effect unless --family auto');
  if (given('trees') && (values.family ?? 'auto') !== 'gbdt' && values.family !== 'ensemble')
    warnings.push(`--trees has no effect with --family ${values.family ?? 'auto'} (auto tries every kind of trees)`);
  if (values.family === 'gbdt')
    for (const flag of NETWORK_FLAGS)
      if (given(flag)) warnings.push(`--${flag} has no effect with --family gbdt (it tunes the network)`);
  if (command !== 'report')
    for (const flag of ['jobs', 'report-set', 'holdout-seeds'])
      if (given(flag)) warnings.push(`--${flag} has no effect on ${command} (report only)`);
  if (given('group') && given('order') && command !== 'report')
    warnings.push('--group has no effect on splits when --order is given (the time order decides)');
  return warnings;
}
