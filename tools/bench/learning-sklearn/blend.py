import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from scipy.stats import rankdata
names, X, y = load()
combos=[a.split('+') for a in sys.argv[1:]]
for combo in combos:
  for how in ['mean','rank']:
    res=[]
    for seed,(tr,te) in splits(X,y):
        ps=[np.load(CACHE+f'/p_{n}_{seed}.npy') for n in combo]
        if how=='rank': ps=[rankdata(p)/len(p) for p in ps]
        res.append(score(y[te], np.mean(ps,0)))
    report(how+' '+'+'.join(combo), res)
