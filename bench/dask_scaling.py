"""dask_scaling.py -- civicast.dask.forecast on a distributed LocalCluster of
1 and of 2 worker processes (threads_per_worker=1, one OpenMP thread per task)
on a synthetic panel of 100,000 monthly series (48 months, random walks with
drift and seasonality), 40 partitions already partitioned by unique_id (as
data read from files partitioned by id would be, so no shuffle).

Timed: civicast.dask.forecast(...).persist() until every partition's
forecasts are held by the workers (the survey pass included).  Not timed:
starting the cluster, generating and persisting the input.  Results of the
two runs are checked identical (sum of every mean and bound).
A control measures what the machine could give at that moment: the same
pure-Python busy loop in 2 processes at once against 1 (on an idle 2-core
machine about 2x; on a machine shared with other jobs less).
usage: dask_scaling.py [N_SERIES] [MODEL] [RUNS] [PARTITIONS]
Prints key=value lines for python.bench.sh.
"""
import sys
import time

import numpy as np
import pandas as pd


def make_part(j, per_part, T):
    """Partition j: series j*per_part .. (j+1)*per_part-1, deterministic."""
    rng = np.random.default_rng(1000 + j)
    first = j * per_part
    ids = np.array([f"s{first + i:07d}" for i in range(per_part)], dtype=object)
    t = np.arange(T)
    level = rng.uniform(50, 500, per_part)[:, None]
    season = rng.uniform(0, 0.2, per_part)[:, None] * level * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6, per_part)[:, None])
    walk = rng.normal(0, 1, (per_part, T)).cumsum(1) * rng.uniform(1, 5, per_part)[:, None]
    y = np.maximum(level + season + walk, 0).round()
    months = [f"{2021 + k // 12}-{k % 12 + 1:02d}" for k in range(T)]
    df = pd.DataFrame({"ds": np.tile(np.array(months, dtype=object), per_part), "y": y.ravel()},
                      index=pd.Index(np.repeat(ids, T), name="unique_id"))
    return df


def _spin(n):
    x = 0
    for i in range(n):
        x += i
    return x


def control(n=15_000_000):
    """Throughput of 2 busy processes over 1 (the machine's parallel capacity now)."""
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_spin, [1000, 1000])  # start both workers first
        t = time.perf_counter()
        pool.map(_spin, [n])
        one = time.perf_counter() - t
        t = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        two = time.perf_counter() - t
    return 2 * one / two


def run(n_workers, ddf_parts, divisions, meta, model, h):
    import dask
    import dask.dataframe as dd
    import distributed

    import civicast.dask as cdask
    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    try:
        ddf = dd.from_delayed([dask.delayed(make_part)(*p) for p in ddf_parts], meta=meta, divisions=divisions)
        ddf = ddf.persist()
        distributed.wait(ddf)
        t = time.perf_counter()
        fc = cdask.forecast(ddf, h=h, model=model, threads=1).persist()
        distributed.wait(fc)
        seconds = time.perf_counter() - t
        num = fc.drop(columns=["unique_id", "ds", "model"])
        check = float(num.sum().sum().compute())
        rows = int(fc.map_partitions(len).compute().sum())
        return seconds, check, rows
    finally:
        client.close()
        cluster.close()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    model = sys.argv[2] if len(sys.argv) > 2 else "ETS(A,N,N)"
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    parts = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    T, h = 48, 12
    per = n // parts
    n = per * parts
    plan = [(j, per, T) for j in range(parts)]
    divisions = tuple(f"s{j * per:07d}" for j in range(parts)) + (f"s{n - 1:07d}",)
    meta = make_part(0, 1, T).iloc[:0]
    res = {}
    cap_before = control()
    print(f"dask_scaling: machine control {cap_before:.2f}x", file=sys.stderr)
    for w in [1, 2] * max(1, runs):  # alternating pairs, best of each
        s, check, rows = run(w, plan, divisions, meta, model, h)
        print(f"dask_scaling: {w} worker(s) {s:.2f}s rows={rows} check={check!r}", file=sys.stderr)
        best = res.get(w)
        res[w] = (min(best[0], s), best[1], best[2]) if best else (s, check, rows)
        if best and best[1] != check:
            raise SystemExit("dask_scaling: results differ between runs")
    identical = res[1][1] == res[2][1] and res[1][2] == res[2][2] == n * h
    cap_after = control()
    print(f"machine_control={min(cap_before, cap_after):.2f}-{max(cap_before, cap_after):.2f} one_worker_seconds={res[1][0]:.3f} two_worker_seconds={res[2][0]:.3f} "
          f"speedup={res[1][0] / res[2][0]:.3f} series={n} rows={res[2][2]} model={model} partitions={parts} "
          f"identical={'yes' if identical else 'no'}")


if __name__ == "__main__":
    main()
