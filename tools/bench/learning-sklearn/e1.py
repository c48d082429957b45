import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier, ExtraTreesClassifier
names, X, y = load()
def fe(X):
    eps=1
    smells=X[:,0:8].sum(1,keepdims=True)
    na,ncl,et,psl,psc=[X[:,i:i+1] for i in (8,9,10,11,12)]
    return np.hstack([X, smells, et/(ncl+eps), et/(psl+eps), na/(ncl+eps), psl/(psc+eps), ncl/(psl+eps), et/(na+eps), np.log1p(et)])
models = {
 'rf300': lambda: RandomForestClassifier(300, n_jobs=1, random_state=0),
 'rf300_entropy': lambda: RandomForestClassifier(300, criterion='entropy', n_jobs=1, random_state=0),
 'rf300_mf0.5': lambda: RandomForestClassifier(300, max_features=0.5, n_jobs=1, random_state=0),
 'rf300_mf3': lambda: RandomForestClassifier(300, max_features=3, n_jobs=1, random_state=0),
 'et300': lambda: ExtraTreesClassifier(300, n_jobs=1, random_state=0),
 'et300_mf0.5': lambda: ExtraTreesClassifier(300, max_features=0.5, n_jobs=1, random_state=0),
}
which = sys.argv[1:] or list(models)
for feat in ['raw','fe']:
  for name in which:
    res=[]
    for seed,(tr,te) in splits(X,y):
        XX = X if feat=='raw' else fe(X)
        m=models[name](); m.fit(XX[tr],y[tr]); res.append(score(y[te], m.predict_proba(XX[te])[:,1]))
    report(f'{feat} {name}', res)
