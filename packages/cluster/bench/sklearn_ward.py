#!/usr/bin/env python3
"""Reference: scikit-learn AgglomerativeClustering(ward) + adjusted_mutual_info_score on DATA.npy.
Prints JSON timings and AMI; writes the labels to LABELS_OUT (one per line). Usage: sklearn_ward.py DATA LABELS_OUT"""
import json, sys, time
import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_mutual_info_score

data, labels_out = sys.argv[1], sys.argv[2]
X = np.load(data + ".npy")
y = np.loadtxt(data + "_labels.csv", skiprows=1, dtype=np.int64)
k = len(np.unique(y))
t0 = time.perf_counter()
pred = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_
t1 = time.perf_counter()
ami = adjusted_mutual_info_score(y, pred)
t2 = time.perf_counter()
np.savetxt(labels_out, pred, fmt="%d")
print(json.dumps({"ward": t1 - t0, "ami_seconds": t2 - t1, "ami": ami, "clusters": k}))
