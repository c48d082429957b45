import os, sys, json; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.ensemble import RandomForestClassifier, ExtraTreesClassifier, HistGradientBoostingClassifier
names, X, y = load()
M={
 'sk_rf300_ent_binned': lambda: RandomForestClassifier(300,criterion='entropy',n_jobs=1,random_state=0),
 'sk_rf300_ent_m5_binned': lambda: RandomForestClassifier(300,criterion='entropy',max_features=5,n_jobs=1,random_state=0),
 'sk_rf300_ent_m3_binned': lambda: RandomForestClassifier(300,criterion='entropy',max_features=3,n_jobs=1,random_state=0),
 'sk_rf300_m5_binned': lambda: RandomForestClassifier(300,max_features=5,n_jobs=1,random_state=0),
 'sk_rf300_binned': lambda: RandomForestClassifier(300,n_jobs=1,random_state=0),
 'sk_rf300_ent': lambda: RandomForestClassifier(300,criterion='entropy',n_jobs=1,random_state=0),
 'sk_rf300_m3': lambda: RandomForestClassifier(300,max_features=3,n_jobs=1,random_state=0),
 'sk_et500': lambda: ExtraTreesClassifier(500,n_jobs=1,random_state=0),
 'sk_hgb': lambda: HistGradientBoostingClassifier(learning_rate=0.05,max_iter=500,max_leaf_nodes=31,min_samples_leaf=5,early_stopping=False,random_state=0),
}
for name in sys.argv[1:]:
    res=[]
    for seed in SEEDS:
        d=json.load(open(CACHE+f'/ts_rf300_{seed}.json')); tr=np.array(d['train']); te=np.array(d['test'])
        Xtr,Xte=X[tr],X[te]
        if 'binned' in name: Xtr,Xte=binned(Xtr,Xte)
        p=M[name]().fit(Xtr,y[tr]).predict_proba(Xte)[:,1]; np.save(CACHE+f'/{name}_{seed}.npy',p)
        res.append(score(y[te],p))
    report(name,res)
