#!/usr/bin/env python3
"""Gaussian-mixture benchmark data: n points in d dims from k classes (centres N(0,1), within-class sd sigma).
Writes OUT.npy (float32, C order) and OUT_labels.csv (one `label` column). Usage: gmm.py OUT n k d sigma seed"""
import sys
import numpy as np

out, n, k, d, sigma, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(seed)
centres = rng.normal(0, 1, (k, d))
y = rng.integers(0, k, n)
X = (centres[y] + rng.normal(0, sigma, (n, d))).astype(np.float32)
np.save(out + ".npy", X)
np.savetxt(out + "_labels.csv", y, fmt="%d", header="label", comments="")
