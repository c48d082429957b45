import os, sys, json; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier
names, X, y = load()
tsname=sys.argv[1]; sk=len(sys.argv)>2
for lab in ['ts']+(['sk'] if sk else []):
    res=[]
    for seed in SEEDS:
        d=json.load(open(CACHE+f'/ts_{tsname}_{seed}.json')); tr=np.array(d['train']); te=np.array(d['test'])
        if lab=='ts': p=np.array(d['p'])
        else:
            p=RandomForestClassifier(300,n_jobs=1,random_state=0).fit(X[tr],y[tr]).predict_proba(X[te])[:,1]
            np.save(CACHE+f'/sk_rf300_{seed}.npy',p)
        res.append(score(y[te],p))
    report(lab+' '+tsname,res)
