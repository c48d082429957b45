import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.tree import DecisionTreeClassifier
names, X, y = load()
class BRF:
    def __init__(s, n=300, ratio=1.0, crit='gini', leaf=1, seed=0): s.n=n; s.ratio=ratio; s.crit=crit; s.leaf=leaf; s.rng=np.random.default_rng(seed)
    def fit(s, X, y):
        pos=np.where(y==1)[0]; neg=np.where(y==0)[0]; s.trees=[]
        for t in range(s.n):
            bp=s.rng.choice(pos,len(pos)); bn=s.rng.choice(neg,int(len(pos)*s.ratio) if s.ratio else len(neg))
            idx=np.r_[bp,bn]
            s.trees.append(DecisionTreeClassifier(criterion=s.crit,max_features='sqrt',min_samples_leaf=s.leaf,random_state=int(s.rng.integers(1<<30))).fit(X[idx],y[idx]))
        return s
    def predict_proba(s,X):
        p=np.mean([t.predict_proba(X)[:,1] for t in s.trees],0); return np.c_[1-p,p]
for name,mk in [('brf1',lambda:BRF(300,1)),('brf3',lambda:BRF(300,3)),('brf8',lambda:BRF(300,8)),('brf_ent3',lambda:BRF(300,3,'entropy'))]:
    res=[]
    for seed,(tr,te) in splits(X,y):
        m=mk().fit(X[tr],y[tr]); p=m.predict_proba(X[te])[:,1]; np.save(CACHE+f'/p_{name}_{seed}.npy',p)
        res.append(score(y[te],p))
    report(name,res)
