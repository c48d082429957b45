import { DEFAULT_TRAINING_OPTIONS as D } from './training-options';

// Pieces of lines too long for the source, interpolated below unchanged.
const DROPOUT = `--dropout <r> (default ${D.dropout})`;
const MIN_BALANCED_ACCURACY =
  "the model's threshold must reach this balanced accuracy on validation" +
  ` (default ${D.thresholdMinBalancedAccuracy})`;

/** The text of `agentlink-learn --help` (and of usage errors). */
export const USAGE = `Usage: agentlink-learn <command> [options]

Commands:
  train      --data <csv> --label <col> --out <dir>   train, hold out a test part, save the model
  evaluate   --data <csv> --label <col> [--mode holdout|cv|lpo|all] [--model <dir>]
  predict    --model <dir> --data <csv> [--out <json>] one answer per row
  report     [--data <csv>] --out <md> [--from <json>]  FlakeFlagger report: 3 feature sets x (5 unseen-seed
                                                     hold-outs + pooled 10-fold CV) + leave-projects-out
                                                     (default data: the FlakeFlagger copy this package ships)
                                                     (--from re-renders a saved JSON report without training)
  join       --data <csv> --results <csv> --out <csv>  append a project column from test_results.csv
  history    --data <csv> --test <col> --run <col> --time <col> --outcome <col> [--duration <col>] --out <csv>
             CI verdict log -> one row per verdict with history features from earlier runs only

Options:
  --label <col>           0/1 label column (report default: flakyStatus)
  --drop <a,b>            columns to ignore
  --group <col>           grouping column: hold-out, CV, validation and inner folds keep whole groups
  --categorical <a,b>     columns one-hot encoded as features (may be the group column; dropped for leave-projects-out)
  --history-key <col>     text column whose key groups rows into a shared test history (e.g. test_name):
                          adds the flake rate and counts of a row's training siblings as features
  --history-key-strip <n> drop the last n separator-delimited segments of the value first
                          (test_name with 1 = the test class; default 0)
  --history-key-separator <s>  segment separator (default .)
  --history-folds <n>     out-of-fold parts for the training rows' own history (default ${D.historyFolds})
  --history-smoothing <m> prior weight of the smoothed flake rate (default ${D.historySmoothing})
  --seed <n>              seed of splits, shuffles and weight initialisation (default ${D.seed})
  --out <path>            output directory (train) or file
  --test-fraction <f>     hold-out share for train/evaluate (default 0.2; 0 = train on all rows)
  --folds <n>             cross-validation folds (default 10)
  --group-folds <n>       leave-projects-out folds of whole groups (default 5)
  --epochs <n>            epoch limit (default ${D.maxEpochs})     --patience <n>  (default ${D.patience})
  --hidden <a,b,c>        hidden layer units (default ${D.hiddenUnits.join(',')})
  --ensemble <n>          networks averaged into one model (default ${D.ensembleSize})   ${DROPOUT}
  --learning-rate <r>     Adam learning rate (default ${D.learningRate})   --batch-size <n> (default ${D.batchSize})
  --class-weighting <w>   balanced | sqrt | none (default ${D.classWeighting})
  --family <f>            auto | network | gbdt | ensemble (default auto: chosen by nested CV inside the
                          training rows among the TF.js network, boosted trees and their average)
  --trees <t>             trees of --family gbdt | ensemble: boosting | forest | both (default boosting;
                          forest: 100 fully grown trees on bootstrap samples; both: their average)
  --inner-folds <n>       inner folds of --family auto (default 3)
  --objective <o>         what the threshold (and --family auto) maximises on training-side data:
                          f1 | balanced-accuracy | accuracy | precision@recall | mcc (default f1)
  --min-recall <r>        recall precision@recall must keep (default 0.8)
  --order <col>           numeric or date column: time-ordered split (train on the past, test on the
                          future; the validation part is the latest training rows)
  --threshold-min-balanced-accuracy <f>  ${MIN_BALANCED_ACCURACY}
  --floor-balanced-accuracy <f>  evaluate: also score the threshold reaching this balanced accuracy on validation
  --holdout-seeds <a,b>   report: seeds of the hold-outs (default 1001,1002,1003,1004,1005)
  --jobs <n>              report: run the feature sets in this many processes (default 1)
  --progress-every <n>    without a terminal, a training progress line every n epochs/rounds (default 10)
  --fatal-warnings        make duplicate/conflict/imbalance warnings fatal
  --backend <b>           auto | tensorflow | wasm | cpu (default auto)
  --help, -h              this text
`;
