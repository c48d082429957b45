"""The issue's baselines on the report's own five hold-outs (numeric features only).

scikit-learn's RandomForestClassifier and XGBoost's XGBClassifier with their defaults, scored on the very
test rows of the report's hold-outs (seeds 1001-1005, dumped by dump-holdouts.ts). Nothing is chosen on
them: each baseline's threshold is tuned inside the training rows, in two ways:
  - `val`: as the issue describes, fit on 80 % of the training rows, threshold tuned on the other 20 %;
  - `oof`: as our report does, threshold tuned on 3-fold out-of-fold predictions of the training rows,
    the model then refit on all of them.
Thresholds come from our grid (0.01 ... 0.99, and 1.01), for best F1 and for the best F1 among
thresholds with BA >= 0.86 on the tuning rows. Prints the mean +- sd over the five hold-outs, and each model's
ceiling: the best F1 among grid thresholds whose BA on the TEST rows reaches 0.86, picked on the test rows
themselves (a bound on what any threshold could give that ranking, not a result).

  npx tsx tools/bench/learning-sklearn/dump-holdouts.ts && /usr/bin/python3 tools/bench/learning-sklearn/baseline.py
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, load
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.metrics import average_precision_score
from xgboost import XGBClassifier

GRID = np.r_[np.arange(1, 100) / 100, 1.01]

def metrics(y, p, t):
    pred = p >= t; tp = np.sum(pred & (y == 1)); fp = np.sum(pred & (y == 0)); fn = np.sum(~pred & (y == 1))
    tn = len(y) - tp - fp - fn
    prec = tp / (tp + fp) if tp + fp else 0.0; rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f1, (rec + tn / (tn + fp)) / 2

def ceiling(y, p, floor=0.86):
    """The best F1 among grid thresholds reaching the BA floor on these very rows (0 when none does)."""
    return max([f1 for f1, ba in (metrics(y, p, t) for t in GRID) if ba >= floor], default=0.0)

def tune(y, p, floor=0.0):
    """Our tuneThreshold: the best F1 among thresholds reaching the BA floor (else the best F1), ties to 0.5."""
    best = None
    for t in GRID:
        f1, ba = metrics(y, p, t); key = (ba >= floor, f1, -abs(t - 0.5))
        if best is None or key > best[0]: best = (key, t)
    return best[1]

MODELS = {
    'random forest': lambda: RandomForestClassifier(n_jobs=2, random_state=0),
    'XGBoost': lambda: XGBClassifier(n_jobs=2, random_state=0, verbosity=0),
}

def thresholds(make, X, y, tr, how, seed):
    """(model fitted for the test rows, F1 threshold, F1-at-BA-0.86 threshold), tuned in the training rows only."""
    if how == 'val':
        fit, val = train_test_split(tr, test_size=0.2, stratify=y[tr], random_state=seed)
        model = make().fit(X[fit], y[fit]); p = model.predict_proba(X[val])[:, 1]; yv = y[val]
    else:
        p = np.empty(len(tr)); folds = StratifiedKFold(3, shuffle=True, random_state=seed)
        for a, b in folds.split(tr, y[tr]):
            p[b] = make().fit(X[tr[a]], y[tr[a]]).predict_proba(X[tr[b]])[:, 1]
        yv = y[tr]; model = make().fit(X[tr], y[tr])
    return model, tune(yv, p), tune(yv, p, 0.86)

names, X, y = load()
rows = {}
for seed in range(1001, 1006):
    split = json.load(open(os.path.join(CACHE, f'holdout_{seed}.json')))
    tr, te = np.array(split['train']), np.array(split['test'])
    for name, make in MODELS.items():
        for how in ('val', 'oof'):
            model, t_f1, t_point = thresholds(make, X, y, tr, how, seed)
            p = model.predict_proba(X[te])[:, 1]
            rows.setdefault((name, how), []).append(
                (*metrics(y[te], p, t_f1), *metrics(y[te], p, t_point), average_precision_score(y[te], p),
                 ceiling(y[te], p)))
    print(f'seed {seed} done', file=sys.stderr, flush=True)

ms = lambda v: f'{np.mean(v):.3f} ± {np.std(v, ddof=1):.3f}'
print('| Baseline | threshold tuned on | F1-tuned F1 | its BA | F1 at BA ≥ 0.86: F1 | its BA | PR-AUC'
      ' | ceiling at BA ≥ 0.86: F1 |')
print('|---|---|---|---|---|---|---|---|')
for (name, how), r in rows.items():
    r = np.array(r)
    where = '20 % validation' if how == 'val' else '3-fold out-of-fold'
    print(f'| {name} | {where} | ' + ' | '.join(ms(r[:, k]) for k in range(6)) + ' |')
