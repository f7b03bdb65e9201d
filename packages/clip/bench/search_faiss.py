#!/usr/bin/env python3
"""Reference for search-bench.ts: faiss IndexFlatIP (Debian python3-faiss) on the same .npy files.
Prints one JSON line: add and search seconds, and the top-k indices file it wrote."""
import json, sys, time
import faiss
import numpy as np

keys, queries, k, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
K = np.load(keys, mmap_mode="r")
Q = np.load(queries)
t0 = time.perf_counter()
index = faiss.IndexFlatIP(K.shape[1])
index.add(np.ascontiguousarray(K))
t1 = time.perf_counter()
_, I = index.search(Q, k)
t2 = time.perf_counter()
np.save(out, I.astype(np.int32))
print(json.dumps({"tool": f"faiss {faiss.__version__} IndexFlatIP", "threads": faiss.omp_get_max_threads(), "add": t1 - t0, "search": t2 - t1}))
