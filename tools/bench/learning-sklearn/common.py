"""Shared helpers of the scikit-learn exploration (see README.md beside this file)."""
import os
import numpy as np, csv
from sklearn.model_selection import train_test_split
from sklearn.metrics import average_precision_score, roc_auc_score
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '../../../packages/learning/data/flakeflagger/flakeflagger-with-project.csv')
# Saved test-row scores (for blend.py) and the TypeScript forests' dumps (for cmp.py / sk.py).
CACHE = os.environ.get('CACHE', '/tmp/learning-sklearn')
os.makedirs(CACHE, exist_ok=True)
def load():
    rows=list(csv.reader(open(DATA)))
    h=rows[0]; d=rows[1:]
    y=np.array([int(r[1]) for r in d]); X=np.array([[float(v) for v in r[2:-1]] for r in d])
    return h[2:-1], X, y
def binned(Xtr, Xte, nb=255):
    """Both parts binned by the training part's bounds, as packages/learning/src/gbdt/binning.ts cuts them:
    quantiles when a column has more than nb distinct values, else midpoints between them."""
    out=[]
    for A in (Xtr,Xte):
        B=np.empty_like(A)
        for j in range(A.shape[1]):
            u=np.unique(Xtr[:,j])
            if len(u)>nb:
                s=np.sort(Xtr[:,j]); b=np.unique(s[(np.arange(1,nb)*len(s))//nb])
            else: b=(u[1:]+u[:-1])/2
            B[:,j]=np.searchsorted(b,A[:,j],'left')
        out.append(B)
    return out
def oracle(y, s, floor=0.86):
    o=np.argsort(-s); ys=y[o]; P=ys.sum(); N=len(y)-P
    tp=np.cumsum(ys); fp=np.cumsum(1-ys)
    # only cut between distinct scores
    ss=s[o]; last=np.r_[ss[1:]!=ss[:-1], True]
    tp=tp[last]; fp=fp[last]
    rec=tp/P; spec=1-fp/N; ba=(rec+spec)/2; prec=tp/(tp+fp); f1=2*prec*rec/(prec+rec+1e-12)
    ok=ba>=floor
    return f1.max(), (f1[ok].max() if ok.any() else 0)
def score(y, s):
    f1, f1ba = oracle(y, s)
    return dict(ap=average_precision_score(y, s), auc=roc_auc_score(y, s), f1=f1, f1ba=f1ba)
import os
SEEDS=[int(s) for s in os.environ.get('SEEDS','7,11,42,99').split(',')]
def splits(X, y):
    for seed in SEEDS:
        yield seed, train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)
def report(name, res):
    import numpy as np
    keys=['ap','auc','f1','f1ba']
    print(name.ljust(40), ' '.join(f"{k}={np.mean([r[k] for r in res]):.4f}" for k in keys), flush=True)
