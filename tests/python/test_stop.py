"""test_stop.py -- Ctrl-C stops a long call from Python (civicast._lib.stoppable over the progress
callback's "stop" answer, civ_progress_fn; docs/PYTHON.md, "Stopping a long call").

Before 2026-12-07 Ctrl-C in a notebook took effect only when the call returned: Python runs its SIGINT
handler between bytecodes, and a forecast of thousands of series is one C call.  Now the library asks the
progress callback at least every 100 ms, Python runs the SIGINT handler there (wrapped), the callback answers
"stop" once the handler raised, and the call returns within about one series' fit; KeyboardInterrupt (or the
host handler's own exception) is then raised as for any Ctrl-C.

The runs that receive a real SIGINT do so in a child process, so that a failure cannot interrupt pytest.
The bound on the time from the signal to KeyboardInterrupt is a hang guard, not a speed test: the full runs
take ten times longer.

Environment (set by CTest): CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PLAN = SOURCE / "tests" / "data" / "plan" / "plan.toml"
MEALS = pd.read_csv(SOURCE / "tests" / "data" / "plan" / "meals.csv")

# A child that starts a long call, sends itself SIGINT once the call is under way (the SIGINT handler of
# stoppable is installed) and reports what happened as JSON on stdout.  Without the fix the forecast runs to
# its end, about 90 s on the dev build, before KeyboardInterrupt is raised.
CHILD = r"""
import json, os, signal, sys, threading, time
import numpy as np, pandas as pd
import civicast

what, handler, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
T = 96
rng = np.random.default_rng(7)
df = pd.DataFrame({"unique_id": np.repeat([f"c{i:04d}" for i in range(N)], T),
                   "ds": np.tile(pd.date_range("2015-01-01", periods=T, freq="MS"), N),
                   "y": 100 + 10 * np.sin(np.arange(N * T) * np.pi / 6) + rng.normal(0, 5, N * T)})
sent, noted = {}, []

def counting(signum, frame):  # a host's own handler that raises nothing
    noted.append(signum)

def raising(signum, frame):  # a host's own handler that stops the work its way
    raise RuntimeError("the host says stop")

mine = {"default": signal.default_int_handler, "counting": counting, "raising": raising}[handler]
signal.signal(signal.SIGINT, mine)

def interrupt_once_running():
    t0 = time.monotonic()  # the call has begun when stoppable's wrapper is in (or, without it, after 5 s)
    while signal.getsignal(signal.SIGINT) is mine and time.monotonic() - t0 < 5:
        time.sleep(0.005)
    time.sleep(0.3)
    sent["at"] = time.monotonic()
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=interrupt_once_running, daemon=True).start()
out = {"what": what}
try:
    if what == "forecast":
        civicast.forecast(df, h=12, model="auto", threads=2)
    else:
        civicast.backtest(df, h=6, windows=3, model="auto", threads=2)
    out["result"] = "finished"
except BaseException as e:
    out["result"] = type(e).__name__ + ": " + str(e)
    out["seconds_after_signal"] = time.monotonic() - sent["at"]
out["handler_restored"] = signal.getsignal(signal.SIGINT) is mine
out["noted"] = len(noted)
# the library is usable again: a small run on the same thread gives its numbers
small = df[df["unique_id"] < "c0003"]
out["after"] = float(civicast.forecast(small, h=3, model="snaive", threads=2)["mean"].sum())
print(json.dumps(out))
"""


def run_child(what, handler="default", n=3000):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-c", CHILD, what, handler, str(n)], env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("what", ["forecast", "backtest"])
def test_ctrl_c_stops_a_long_call(what):
    got = run_child(what)
    assert got["result"] == "KeyboardInterrupt: ", got
    assert got["seconds_after_signal"] < 10, got  # the whole run takes minutes on this build
    assert got["handler_restored"], got
    assert got["after"] > 0, got


def test_a_host_handler_decides():
    """A host's own SIGINT handler runs when the signal comes (not when the call returns): one that raises
    stops the call and its exception comes out; one that raises nothing lets the call finish."""
    got = run_child("forecast", "raising")
    assert got["result"] == "RuntimeError: the host says stop" and got["seconds_after_signal"] < 10, got
    assert got["handler_restored"], got
    got = run_child("forecast", "counting", n=150)
    assert got["result"] == "finished" and got["noted"] == 1 and got["handler_restored"], got


PLAN_CHILD = r"""
import json, os, signal, sys
import civicast

plan, out = sys.argv[1], sys.argv[2]
seen = []

def progress(stage, done, total):
    seen.append(stage)
    if stage == "forecast" and len(seen) == 1:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the forecast

result = "finished"
try:
    civicast.plan(plan, out=out, threads=1, progress=progress)
except KeyboardInterrupt:
    result = "KeyboardInterrupt"
print(json.dumps({"result": result, "stages": sorted(set(seen)), "out_exists": os.path.exists(out),
                  "handler_restored": signal.getsignal(signal.SIGINT) is signal.default_int_handler}))
"""


def test_ctrl_c_stops_a_plan_before_anything_is_written(tmp_path):
    out = tmp_path / "plan_out"
    r = subprocess.run([sys.executable, "-c", PLAN_CHILD, str(PLAN), str(out)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got == {"result": "KeyboardInterrupt", "stages": ["forecast"], "out_exists": False,
                   "handler_restored": True}


def test_an_exception_from_progress_stops_the_plan(tmp_path):
    seen = []

    def progress(stage, done, total):
        seen.append(stage)
        if stage == "allocation":
            raise RuntimeError("enough")

    out = tmp_path / "plan_out"
    with pytest.raises(RuntimeError, match="enough"):
        civicast.plan(PLAN, out=out, threads=1, progress=progress)
    assert seen[-1] == "allocation" and "uncertainty" not in seen
    assert not out.exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    tables = civicast.plan(PLAN, out=out, threads=1)  # the next run is whole
    assert "allocation" in tables and out.exists()


def test_a_host_signal_handler_is_put_back():
    noted = []

    def mine(signum, frame):
        noted.append(signum)

    previous = signal.signal(signal.SIGINT, mine)
    try:
        fc = civicast.forecast(MEALS, h=3, model="snaive")
        assert len(fc) == 3 * MEALS["unique_id"].nunique()
        assert signal.getsignal(signal.SIGINT) is mine and noted == []
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_call_from_another_thread_keeps_the_handler():
    got = {}

    def work():
        got["fc"] = civicast.forecast(MEALS, h=3, model="snaive")
        got["handler"] = signal.getsignal(signal.SIGINT)

    t = threading.Thread(target=work)
    t.start()
    t.join(120)
    assert got["handler"] is signal.default_int_handler
    pd.testing.assert_frame_equal(got["fc"], civicast.forecast(MEALS, h=3, model="snaive"))


def test_progress_of_forecast_backtest_and_files(tmp_path):
    n = MEALS["unique_id"].nunique()
    calls = []
    civicast.forecast(MEALS, h=3, model="snaive", threads=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (n, n) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    civicast.backtest(MEALS, h=3, windows=2, model=["naive", "snaive"], threads=1,
                      progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (2 * 2 * n, 2 * 2 * n)

    def enough(done, total):
        raise RuntimeError(f"enough at {done} of {total}")

    with pytest.raises(RuntimeError, match="enough at 1 of"):
        civicast.forecast(MEALS, h=3, model="snaive", threads=1, progress=enough)
    with pytest.raises(RuntimeError, match="enough at 1 of"):
        civicast.backtest(MEALS, h=3, windows=2, model="naive", threads=1, progress=enough)
    with pytest.raises(RuntimeError, match="enough at 1 of"):
        civicast.forecast_to_files(MEALS, tmp_path / "fc.csv", h=3, model="snaive", threads=1, progress=enough)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
