import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createConsumer } from './consumer.mjs';

const CLEAN_SUMMARY = [/qe-fleet summary/, /lost\s+\|\s*0\b/];

/**
 * The app as a user gets it: `@agentlink/qe-fleet` installed alone, `npx @agentlink/qe-fleet`
 * to a clean summary, then `agentlink-learn train --out M` and, each in a new process,
 * `agentlink-learn predict --model M` and `qe-fleet --model M`.
 */
export function checkApp({ name, version }, rt, dir, fail) {
  const consumer = createConsumer(dir);
  try {
    rt.npm(['install', '--loglevel=error', `${name}@${version}`], consumer);
  } catch (error) {
    return fail(`${name}: npm install from the registry alone`, error);
  }
  const attempt = (what, fn) => {
    const began = Date.now();
    try {
      fn();
      console.log(`${name}: ${what} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
      return true;
    } catch (error) {
      fail(`${name}: ${what}`, error);
      return false;
    }
  };
  const cleanSummary = (out) => {
    for (const pattern of CLEAN_SUMMARY) if (!pattern.test(out)) throw new Error(`summary lacks ${pattern}:\n${out}`);
  };
  attempt('npx @agentlink/qe-fleet --help exits 0', () => rt.npm(['exec', '--', name, '--help'], consumer));
  attempt(
    'qe-fleet --fault without the optional @agentlink/test-harness fails with ERR_INVALID_FLAG naming it',
    () => {
      try {
        rt.npm(
          ['exec', '--', 'qe-fleet', '--fault', 'loss=0.01', '--agents', '4', '--suite-size', '8', '--duration', '1'],
          consumer,
        );
      } catch (error) {
        if (/ERR_INVALID_FLAG[^\n]*@agentlink\/test-harness/.test(String(error.stderr))) return;
        throw error;
      }
      throw new Error('qe-fleet --fault ran although @agentlink/test-harness is not installed');
    },
  );
  attempt('npx @agentlink/qe-fleet --suite-size 30 prints a clean summary', () =>
    cleanSummary(rt.npm(['exec', '--', name, '--suite-size', '30'], consumer)),
  );

  const shipped = path.join(
    consumer,
    'node_modules',
    '@agentlink',
    'learning',
    'dist',
    'data',
    'flakeflagger',
    'FlakeFlagger_filtered_dataset.csv.gz',
  );
  const model = path.join(consumer, 'model');
  const trained = attempt('agentlink-learn train --out model (on the FlakeFlagger copy the package ships)', () =>
    rt.npm(
      [
        'exec',
        '--',
        'agentlink-learn',
        'train',
        '--data',
        shipped,
        '--label',
        'flakyStatus',
        '--drop',
        'test_name',
        '--out',
        model,
        '--epochs',
        '3',
        '--hidden',
        '16',
        '--batch-size',
        '512',
        '--test-fraction',
        '0',
      ],
      consumer,
    ),
  );
  if (!trained) return;
  const sample = path.join(consumer, 'sample.csv');
  fs.writeFileSync(
    sample,
    `${gunzipSync(fs.readFileSync(shipped)).toString('utf8').split('\n').slice(0, 6).join('\n')}\n`,
  );
  attempt('agentlink-learn predict --model model in a new process', () => {
    const answers = JSON.parse(
      rt.npm(['exec', '--', 'agentlink-learn', 'predict', '--model', model, '--data', sample], consumer),
    );
    if (answers.length !== 5 || answers.some((a) => a.reason === 'error'))
      throw new Error(`unexpected answers: ${JSON.stringify(answers)}`);
  });
  attempt('qe-fleet --model model --suite-size 30 in a new process prints a clean summary', () =>
    cleanSummary(
      rt.npm(['exec', '--', 'qe-fleet', '--model', model, '--suite-size', '30', '--duration', '3'], consumer),
    ),
  );
}
