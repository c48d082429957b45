import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
import csv
from sklearn.ensemble import RandomForestClassifier
rows=list(csv.reader(open(DATA)))[1:]
proj=np.array([r[-1] for r in rows])
names, X, y = load()
P=(proj[:,None]==np.unique(proj)[None,:]).astype(float)
# project-relative features: rank of exec time, lines within project (unsupervised, from training rows)
def rel(Xtr, ptr, Xall, pall, cols=(8,9,10,11,12,21)):
    out=np.zeros((len(Xall),len(cols)))
    for pr in np.unique(pall):
        mtr=ptr==pr; ma=pall==pr
        for k,c in enumerate(cols):
            s=np.sort(Xtr[mtr,c]) if mtr.any() else np.sort(Xtr[:,c])
            out[ma,k]=(np.searchsorted(s,Xall[ma,c],'left')+np.searchsorted(s,Xall[ma,c],'right'))/(2*len(s))
    return out
for feat in ['proj','proj+rel']:
    res=[]
    for seed,(tr,te) in splits(X,y):
        XX=np.hstack([X,P])
        if feat=='proj+rel': XX=np.hstack([XX, rel(X[tr],proj[tr],X,proj)])
        m=RandomForestClassifier(300, criterion='entropy', n_jobs=1, random_state=0).fit(XX[tr],y[tr])
        res.append(score(y[te], m.predict_proba(XX[te])[:,1]))
    report(feat,res)
# how many projects per num_third_party_libs
import collections
c=collections.defaultdict(set)
for v,pr in zip(X[:,21],proj): c[v].add(pr)
print('values',len(c),'multi-project values',sum(len(s)>1 for s in c.values()))
