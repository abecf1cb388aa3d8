"""test_fork.py -- a notebook that forecast with threads and then forks worker processes (multiprocessing's
default on Linux, concurrent.futures.ProcessPoolExecutor) gets its results instead of workers that hang
(core/threads.c; docs/PYTHON.md, "Processes").

GNU OpenMP keeps its worker threads in a pool of the thread that started the team; fork() does not copy them,
and before 2026-12-07 every forked worker waited for them for ever in its first forecast.  The workers here
must return within the timeout, with the parent's numbers.

Environment (set by CTest): CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PANEL = pd.read_csv(SOURCE / "tests" / "data" / "plan" / "meals.csv")


def forecast(model):
    return civicast.forecast(PANEL, h=6, model=model, threads=2)


def test_forked_workers_after_a_threaded_forecast():
    before = {m: forecast(m) for m in ("ets", "theta")}  # the parent runs two-thread teams first
    pool = multiprocessing.get_context("fork").Pool(2)
    try:
        got = pool.map_async(forecast, ["ets", "theta", "ets", "theta"]).get(timeout=120)
    except multiprocessing.TimeoutError:
        pytest.fail("the forked workers hung in their first forecast")
    finally:
        pool.terminate()
        pool.join()
    for model, df in zip(["ets", "theta", "ets", "theta"], got):
        pd.testing.assert_frame_equal(df, before[model])
    pd.testing.assert_frame_equal(forecast("ets"), before["ets"])  # the parent keeps its threads
