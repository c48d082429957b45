"""Does the forest lose anything to 255 quantile bins? scikit-learn's entropy forest (300 trees) on raw
features and on our binning (`common.binned`, the rule of packages/learning/src/gbdt/binning.ts) with N bins.
Usage: SEEDS=7,11,42,99,13,17,23,31 /usr/bin/python3 bins.py 0 255 1023   (0 = raw values)"""
import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier
names, X, y = load()
counts = [int(a) for a in sys.argv[1:]] or [0, 255]
res = {nb: [] for nb in counts}
for seed, (tr, te) in splits(X, y):
    for nb in counts:
        Xtr, Xte = X[tr], X[te]
        if nb: Xtr, Xte = binned(Xtr, Xte, nb)
        model = RandomForestClassifier(300, criterion='entropy', n_jobs=2, random_state=0).fit(Xtr, y[tr])
        res[nb].append(score(y[te], model.predict_proba(Xte)[:, 1]))
for nb in counts: report(f'entropy forest, {nb or "raw"} bins', res[nb])
