#!/usr/bin/env python3
"""Reference metric only: sklearn adjusted_mutual_info_score of a given partition (used where scipy's Ward would
need more memory than the machine has). Usage: sklearn_ami.py DATA PRED_LABELS"""
import json, sys, time
import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

data, pred_file = sys.argv[1], sys.argv[2]
y = np.loadtxt(data + "_labels.csv", skiprows=1, dtype=np.int64)
pred = np.loadtxt(pred_file, dtype=np.int64)
t0 = time.perf_counter()
ami = adjusted_mutual_info_score(y, pred)
print(json.dumps({"ami_seconds": time.perf_counter() - t0, "ami": ami}))
