"""python_overhead.py -- the cost of forecasting the demo city from Python
against the CLI on the same data, same model, same threads, in the same run.

    CLI     civicast forecast meals.csv --out cli.csv --quiet   (process wall time)
    Python  pandas.read_csv(meals.csv) -> civicast.forecast(df) -> DataFrame.to_csv
            (in one warm interpreter: numpy/pandas/civicast already imported,
             as in a notebook; the import time is reported separately)

Runs alternate (CLI, Python, CLI, Python, ...) so that machine load hits both
alike; best of N each, in wall time and in CPU time (user + system of the CLI
process, resp. of this process's threads over the Python pipeline).  On a
machine shared with other jobs the CPU time is the steadier measure of the
extra work Python does.  Prints key=value lines for python.bench.sh.
usage: python_overhead.py CIVICAST_CLI MEALS_CSV OUT_DIR [RUNS] [MODEL] [THREADS]
Environment: CIV_LIBRARY (the library of the same build), PYTHONPATH.
"""
import os
import resource
import subprocess
import sys
import time

t_import = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import civicast  # noqa: E402

t_import = time.perf_counter() - t_import


def main():
    cli, meals, out = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    model = sys.argv[5] if len(sys.argv) > 5 else "auto"
    threads = int(sys.argv[6]) if len(sys.argv) > 6 else int(os.environ.get("OMP_NUM_THREADS", "2"))
    os.makedirs(out, exist_ok=True)
    cli_out, py_out = os.path.join(out, "py_bench_cli.csv"), os.path.join(out, "py_bench_py.csv")
    cli_t, py_t, call_t, cli_cpu, py_cpu = [], [], [], [], []

    def cpu(who):
        u = resource.getrusage(who)
        return u.ru_utime + u.ru_stime

    for r in range(runs):
        c0, t = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([cli, "forecast", meals, "--out", cli_out, "--quiet", "--model", model,
                        "--threads", str(threads)], check=False)
        cli_t.append(time.perf_counter() - t)
        cli_cpu.append(cpu(resource.RUSAGE_CHILDREN) - c0)
        print(f"python_overhead: run {r + 1}/{runs} cli {cli_t[-1]:.2f}s wall {cli_cpu[-1]:.2f}s cpu",
              file=sys.stderr)

        c0, t = cpu(resource.RUSAGE_SELF), time.perf_counter()
        df = pd.read_csv(meals)
        t1 = time.perf_counter()
        fc = civicast.forecast(df, model=model, threads=threads)
        t2 = time.perf_counter()
        fc.to_csv(py_out, index=False)
        py_t.append(time.perf_counter() - t)
        py_cpu.append(cpu(resource.RUSAGE_SELF) - c0)
        call_t.append(t2 - t1)
        print(f"python_overhead: run {r + 1}/{runs} python {py_t[-1]:.2f}s wall {py_cpu[-1]:.2f}s cpu "
              f"(forecast call {call_t[-1]:.2f}s)", file=sys.stderr)
    # the two outputs agree (numbers compared as doubles)
    a = pd.read_csv(cli_out, float_precision="round_trip", keep_default_na=False, na_values=[""])
    b = pd.read_csv(py_out, float_precision="round_trip", keep_default_na=False, na_values=[""])
    same = a.shape == b.shape and all(
        np.array_equal(a[c].to_numpy(), b[c].to_numpy(), equal_nan=True) if a[c].dtype != object
        else (a[c].astype(str) == b[c].astype(str)).all() for c in a.columns)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"cli_seconds={min(cli_t):.3f} python_seconds={min(py_t):.3f} call_seconds={min(call_t):.3f} "
          f"cli_cpu_seconds={min(cli_cpu):.3f} python_cpu_seconds={min(py_cpu):.3f} "
          f"import_seconds={t_import:.3f} cli_rss_kb={child_rss} python_rss_kb={self_rss} "
          f"series={fc['unique_id'].nunique()} rows={len(fc)} model={model} threads={threads} runs={runs} "
          f"identical={'yes' if same else 'no'}")


if __name__ == "__main__":
    main()
