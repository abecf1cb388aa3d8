#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The accuracy of the intermittent methods against combo(median) and the
five-member median (auto's smooth route) on the series `auto` routes to them (docs/models/INTERMITTENT.md, "auto"):

    /usr/bin/python3 bench/intermittent_eval.py demo datasets/demo_city
    /usr/bin/python3 bench/intermittent_eval.py synthetic
    /usr/bin/python3 bench/intermittent_eval.py tourism     # ../shared/data/tourism: none is intermittent

sMAE / sRMSE: MAE and RMSE over the 12 (tourism: the test) steps divided by the
series in-sample mean, averaged over series; coverage of the 80% interval."""
import os, sys, numpy as np, pandas as pd, warnings
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python-bindings"))
os.environ.setdefault("CIV_LIBRARY", os.path.join(HERE, "..", "build", "dev", "libcivicast.so"))
import civicast
warnings.simplefilter("ignore")
METHODS = ["croston", "sba", "tsb", "adida", "imapa", "combo(median)", "combo(median,ets,arima,theta,damped,dotm)"]

def score(train, test, h, label):
    cls = civicast.classify_demand(train)
    ids = set(cls.loc[cls.demand_class.isin(["intermittent", "lumpy"]), "unique_id"])
    tr = train[train.unique_id.isin(ids)]
    te = test[test.unique_id.isin(ids)].set_index(["unique_id", "h"])["y"]
    scale = tr.groupby("unique_id")["y"].mean()
    out = {}
    for m in METHODS:
        fc = civicast.forecast(tr, h=h, model=m, level=(80,), threads=1)
        fc = fc.set_index(["unique_id", "h"])
        e = (fc["mean"] - te).dropna()
        cover = ((te >= fc["lo-80"]) & (te <= fc["hi-80"])).groupby(level=0).mean()
        ae = e.abs().groupby(level=0).mean() / scale
        se = (e ** 2).groupby(level=0).mean() / scale ** 2
        out[m] = (ae.mean(), np.sqrt(se).mean(), cover.mean())
    print("%s: %d intermittent/lumpy series (of %d)" % (label, len(ids), train.unique_id.nunique()))
    for m, (a, r, c) in out.items():
        print("  %-14s sMAE %.4f  sRMSE %.4f  80%% coverage %.3f" % (m, a, r, c))

which = sys.argv[1]
if which == "tourism":
    s = pd.read_csv(os.path.join(HERE, "..", "..", "shared", "data", "tourism") + "/tourism_series.csv")
    meta = pd.read_csv(os.path.join(HERE, "..", "..", "shared", "data", "tourism") + "/tourism_meta.csv").set_index("unique_id")
    for per in ["MONTHLY", "QUARTERLY"]:
        ids = meta.index[meta.period == per] if "period" in meta.columns else []
        d = s[s.unique_id.isin(ids)].copy()
        f = 12 if per == "MONTHLY" else 4
        d["ds"] = [("%d-%02d" % (2000 + (t - 1) // 12, (t - 1) % 12 + 1)) if f == 12 else ("%d-Q%d" % (2000 + (t - 1) // 4, (t - 1) % 4 + 1)) for t in d.t]
        tr = d[d.split == "train"][["unique_id", "ds", "y"]]
        te = d[d.split == "test"].copy()
        te["h"] = te.groupby("unique_id").cumcount() + 1
        # test t continues train t
        score(tr, te[["unique_id", "h", "y"]], int(te.h.max()), "tourism " + per)
elif which == "demo":
    base = sys.argv[2]
    m = pd.read_csv(base + "/meals.csv")
    tr = m[m.y.notna()][["unique_id", "ds", "y"]]
    ho = pd.read_csv(base + "/holdout_2025.csv")
    ho["h"] = ho.groupby("unique_id").cumcount() + 1
    score(tr, ho[["unique_id", "h", "y"]], 12, "demo city " + base)

if which == "synthetic":
    rng = np.random.default_rng(20261203)
    rows, test = [], []
    for i in range(300):
        p0 = rng.uniform(0.1, 0.6); lam = rng.uniform(0.5, 8); decay = rng.uniform(0.01, 0.04) if i >= 200 else 0.0
        for t in range(84):
            p = p0 * np.exp(-decay * t)
            v = (1 + rng.poisson(lam)) if rng.random() < p else 0
            ds = "%d-%02d" % (2019 + t // 12, t % 12 + 1)
            (rows if t < 72 else test).append(("X%03d" % i, ds, t - 71, float(v)))
    tr = pd.DataFrame([(a, b, d) for a, b, c, d in rows], columns=["unique_id", "ds", "y"])
    te = pd.DataFrame([(a, c, d) for a, b, c, d in test], columns=["unique_id", "h", "y"])
    score(tr, te, 12, "synthetic Croston processes (200 stationary, 100 dying out)")
    score(tr[tr.unique_id >= "X200"], te[te.unique_id >= "X200"], 12, "  of which dying out")
