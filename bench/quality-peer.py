#!/usr/bin/env python3
"""Measure the NumPy structured-ALS peer (../shared/peers/numpy_reference.py) for bench/quality.mjs.

For each case (parent .npy, m, starts, iterations) runs the peer's structured_als from `starts`
random seeds (0..starts-1) for `iterations` iterations and prints one JSON line per case:
  {"file", "filters", "starts", "iterations", "best", "seconds", "trace_best": [..], "per_start": [..]}
seconds is the wall time of all starts together (the peer's own loop, single process).
Usage: quality-peer.py PEER_PATH FILE:M:STARTS:ITERS [...]
"""
import importlib.util
import json
import sys
import time

import numpy as np


def load_peer(path):
    spec = importlib.util.spec_from_file_location("numpy_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    peer = load_peer(sys.argv[1])
    for case in sys.argv[2:]:
        file, m, starts, iters = case.rsplit(":", 3)
        m, starts, iters = int(m), int(starts), int(iters)
        W = np.load(file).astype(np.float64)
        per = []
        best = None
        t0 = time.perf_counter()
        for s in range(starts):
            t = time.perf_counter()
            _, _, info = peer.structured_als(W, m, iters=iters, seed=s, tol=0.0)
            tr = [float(x) for x in info["trace"]]
            per.append({"seed": s, "final": tr[-1], "seconds": time.perf_counter() - t,
                        "at": {str(k): tr[k - 1] for k in (10, 30, 60, 300) if k <= len(tr)}})
            if best is None or tr[-1] < best[-1]:
                best = tr
        dt = time.perf_counter() - t0
        reach = next((i + 1 for i, r in enumerate(best) if r <= 1e-3), None)
        print(json.dumps({"file": file, "filters": m, "starts": starts, "iterations": iters,
                          "best": best[-1], "seconds": dt, "first_iter_below_1e-3": reach,
                          "per_start": per}), flush=True)


if __name__ == "__main__":
    main()
