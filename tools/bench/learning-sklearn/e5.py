"""Oblique splits: forests on rotated features (rotation forest) and on random projections added to the raw ones."""
import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.decomposition import PCA
from sklearn.preprocessing import QuantileTransformer
names, X, y = load()
def rotation_forest(Xtr, ytr, Xte, trees=60, group=3, seed=0):
    rng=np.random.RandomState(seed); d=Xtr.shape[1]; out=np.zeros(len(Xte))
    for t in range(trees):
        perm=rng.permutation(d); R=np.zeros((d,d))
        for g in range(0,d,group):
            idx=perm[g:g+group]
            boot=rng.choice(len(Xtr), int(0.75*len(Xtr)))
            p=PCA().fit(Xtr[boot][:,idx]); k=p.components_.shape[0]
            R[np.ix_(idx, idx[:k])]=p.components_.T
        b=rng.choice(len(Xtr), len(Xtr))
        m=DecisionTreeClassifier(criterion='entropy', max_features='sqrt', random_state=rng.randint(1<<30))
        m.fit(Xtr[b]@R, ytr[b]); out+=m.predict_proba(Xte@R)[:,1]
    return out/trees
def projections(Xtr, Xte, k, seed=0):
    rng=np.random.RandomState(seed); W=rng.normal(size=(Xtr.shape[1], k))
    W*= rng.rand(*W.shape) < 3/Xtr.shape[1]  # sparse: about three features each
    return np.hstack([Xtr, Xtr@W]), np.hstack([Xte, Xte@W])
which=sys.argv[1:] or ['rot','proj']
for name in which:
    res=[]
    for seed,(tr,te) in splits(X,y):
        q=QuantileTransformer(n_quantiles=1000, output_distribution='normal').fit(X[tr])
        A, B = q.transform(X[tr]), q.transform(X[te])
        if name=='rot': s=rotation_forest(A, y[tr], B)
        elif name=='rot6': s=rotation_forest(A, y[tr], B, group=6)
        else:
            A2,B2=projections(A,B,22)
            m=RandomForestClassifier(300, criterion='entropy', n_jobs=1, random_state=0).fit(A2,y[tr])
            s=m.predict_proba(B2)[:,1]
        res.append(score(y[te], s))
    report(name, res)
