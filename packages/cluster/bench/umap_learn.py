#!/usr/bin/env python3
"""Reference: umap-learn (n_components 50, n_neighbors 30, min_dist 0) then sklearn Ward + AMI on DATA.npy.
Usage: umap_learn.py DATA DIMS"""
import json, sys, time
import numpy as np
import umap
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_mutual_info_score

data, dims = sys.argv[1], int(sys.argv[2])
X = np.load(data + ".npy")
y = np.loadtxt(data + "_labels.csv", skiprows=1, dtype=np.int64)
t0 = time.perf_counter()
E = umap.UMAP(n_components=dims, n_neighbors=30, min_dist=0.0, random_state=0).fit_transform(X)
t1 = time.perf_counter()
pred = AgglomerativeClustering(n_clusters=len(np.unique(y)), linkage="ward").fit(E).labels_
print(json.dumps({"umap": t1 - t0, "ami": adjusted_mutual_info_score(y, pred)}))
