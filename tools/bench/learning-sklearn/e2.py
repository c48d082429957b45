import os, sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier
from sklearn.neighbors import KNeighborsClassifier
from scipy.stats import rankdata
names, X, y = load()
def rankn(Xtr, Xte):
    # rank-normalise using training quantiles
    out_tr=np.empty_like(Xtr); out_te=np.empty_like(Xte)
    for j in range(Xtr.shape[1]):
        s=np.sort(Xtr[:,j]); 
        out_tr[:,j]=np.searchsorted(s,Xtr[:,j],'left')/len(s)+np.searchsorted(s,Xtr[:,j],'right')/len(s)
        out_te[:,j]=np.searchsorted(s,Xte[:,j],'left')/len(s)+np.searchsorted(s,Xte[:,j],'right')/len(s)
    return out_tr/2, out_te/2
class KNN:
    def __init__(s,k): s.k=k
    def fit(s,X,y): s.X=X; s.y=y; return s
    def predict_proba(s,X):
        Xtr,Xte=rankn(s.X,X)
        m=KNeighborsClassifier(s.k, weights='distance').fit(Xtr,s.y)
        p=m.predict_proba(Xte)[:,1]; return np.c_[1-p,p]
models = {
 'rf_bal_sub': lambda: RandomForestClassifier(300, class_weight='balanced_subsample', n_jobs=1, random_state=0),
 'rf_ent_leaf2': lambda: RandomForestClassifier(300, criterion='entropy', min_samples_leaf=2, n_jobs=1, random_state=0),
 'rf_ent_1000': lambda: RandomForestClassifier(1000, criterion='entropy', n_jobs=1, random_state=0),
 'hgb_lr05': lambda: HistGradientBoostingClassifier(learning_rate=0.05, max_iter=600, max_leaf_nodes=31, min_samples_leaf=5, early_stopping=False, random_state=0),
 'hgb_lr02_63': lambda: HistGradientBoostingClassifier(learning_rate=0.02, max_iter=1500, max_leaf_nodes=63, min_samples_leaf=2, l2_regularization=1, early_stopping=False, random_state=0),
 'knn5': lambda: KNN(5), 'knn15': lambda: KNN(15),
}
which = sys.argv[1:] or list(models)
for name in which:
    res=[]
    for seed,(tr,te) in splits(X,y):
        m=models[name](); m.fit(X[tr],y[tr]); p=m.predict_proba(X[te])[:,1]
        np.save(CACHE+f'/p_{name}_{seed}.npy', p)
        res.append(score(y[te], p))
    report(name, res)
