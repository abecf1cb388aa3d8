#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic generator for the civicast demo city (青澜市, "Qinglan").

Run with Debian's interpreter, which has numpy and pandas:

    /usr/bin/python3 datasets/generate_demo_city.py            # (re)write datasets/demo_city/
    /usr/bin/python3 datasets/generate_demo_city.py --check    # regenerate into a temp dir, compare bytes
    /usr/bin/python3 datasets/generate_demo_city.py --dump-truth DIR   # also write the expected-value panel

Only numpy is needed to generate (pandas is not used here).  All randomness comes
from PCG64 through ``np.random.default_rng``; the generator draws only raw
uniforms (``Generator.random``) and builds normals (Box-Muller) and Poisson
counts (inversion / PTRS) from them in this file, so the output does not depend
on numpy's distribution algorithms, which numpy does not promise to keep
stable across versions.  The data-generating process is documented in
datasets/README.md; keep the two in step.
"""

import argparse
import calendar
import datetime as dt
import filecmp
import math
import os
import shutil
import sys
import tempfile

import numpy as np

SEED = 20190101
CITY_ZH = "青澜市"
CITY_EN = "Qinglan"

# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------
FIRST_YEAR, LAST_OBS_YEAR, FUTURE_YEAR = 2019, 2024, 2025
MONTHS = [(y, m) for y in range(FIRST_YEAR, FUTURE_YEAR + 1) for m in range(1, 13)]
T_ALL = len(MONTHS)            # 84 = 72 observed + 12 future
T_OBS = 72                     # 2019-01 .. 2024-12
T_ANCHOR = T_OBS - 1           # 2024-12: the static snapshot date
COHORT_T = 36                  # 2022-01: the 1962-63 birth cohort starts turning 60
DS = ["%04d-%02d" % ym for ym in MONTHS]

# Spring Festival (lunar new year's day), actual dates.
SPRING_FESTIVAL = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
}

# Citywide disruption factor on meal service (1 = normal).  2020: epidemic
# closure from February with gradual recovery.  2022: big-city spring lockdown
# (April-May) and the December 2022 / January 2023 infection wave after reopening.
DISRUPTION = {
    "2020-01": 0.95, "2020-02": 0.30, "2020-03": 0.45, "2020-04": 0.65, "2020-05": 0.80,
    "2020-06": 0.88, "2020-07": 0.93, "2020-08": 0.96, "2020-09": 0.98,
    "2022-03": 0.80, "2022-04": 0.25, "2022-05": 0.35, "2022-06": 0.70, "2022-07": 0.88,
    "2022-08": 0.94, "2022-09": 0.97, "2022-10": 0.98, "2022-11": 0.95, "2022-12": 0.75,
    "2023-01": 0.80, "2023-02": 0.92, "2023-03": 0.98,
}

# Mild seasonality of meal demand (winter high, mid-summer low), normalised to mean 1.
_SEAS_RAW = [1.04, 1.03, 1.01, 0.99, 0.98, 0.97, 0.95, 0.95, 0.99, 1.02, 1.03, 1.04]
SEASONAL = [v / (sum(_SEAS_RAW) / 12.0) for v in _SEAS_RAW]

# Migrant presence around the Spring Festival: 25% of migrants away from
# SF-10 to SF+15 (26 days).  Epidemic-era migrant factors below.
MIGRANT_SF_AWAY = 0.25
MIGRANT_COVID = {
    "2020-02": 0.70, "2020-03": 0.78, "2020-04": 0.85, "2020-05": 0.90,
    "2022-04": 0.90, "2022-05": 0.88, "2022-06": 0.92,
}

# --------------------------------------------------------------------------
# Layout: districts, streets, communities
# --------------------------------------------------------------------------
# code, name, type, streets, household size, mean migrant share, mean 60+ share
# among local (hukou) residents, density (residents/km2), fiscal capacity
# (district general-budget revenue per resident, yuan), lockdown intensity,
# mean outflow (registered persons living elsewhere / local residents)
DISTRICTS = [
    ("D01", "澜中区", "core", 6, 2.30, 0.17, 0.40, 32000, 16800, 1.05, 0.35),
    ("D02", "西门区", "core", 7, 2.35, 0.21, 0.395, 28000, 14500, 1.05, 0.30),
    ("D03", "北桥区", "inner", 8, 2.45, 0.31, 0.275, 18000, 11200, 1.00, 0.20),
    ("D04", "溪东区", "inner", 8, 2.50, 0.35, 0.27, 15000, 9800, 1.00, 0.18),
    ("D05", "新港区", "new", 8, 2.60, 0.46, 0.345, 9000, 12600, 0.95, 0.08),
    ("D06", "云湾区", "new", 7, 2.60, 0.50, 0.34, 7000, 10400, 0.90, 0.08),
    ("D07", "松林区", "peri", 8, 2.75, 0.57, 0.395, 2500, 6900, 0.85, 0.12),
    ("D08", "青禾区", "peri", 8, 2.80, 0.61, 0.40, 1800, 5800, 0.80, 0.12),
]
N_COMMUNITIES = 1000

# Type-level parameters.
TYPE = {
    #        small-share late-open-share aged60-growth migrant-trend uptake-median
    "core":  dict(small=0.04, late=0.10, g60=0.025, gmig=-0.015, upt=1.35),
    "inner": dict(small=0.05, late=0.20, g60=0.035, gmig=-0.005, upt=1.20),
    "new":   dict(small=0.12, late=0.35, g60=0.045, gmig=0.025, upt=1.05),
    "peri":  dict(small=0.12, late=0.35, g60=0.035, gmig=0.030, upt=0.95),
}

# The plan's three pilot areas (sections 5.1/8.2), appended as districts D09-D11
# with their own random streams (keys 10-19), so the 1,000 communities above
# are byte-identical to the city without them.  Columns as DISTRICTS.
PILOT_DISTRICTS = [
    # aging new urban district: older buyers of the first estates, 60+ share
    # high and rising fast, canteens still opening: fast-growing meal demand
    ("D09", "康宁新区", "aging_new", 4, 2.40, 0.22, 0.47, 8000, 9800, 0.95, 0.10),
    # migrant industrial zone: young, migrant-dense dormitory communities
    ("D10", "工业园区", "industrial", 4, 2.90, 0.80, 0.13, 6000, 8200, 0.90, 0.05),
    # hollowed rural township: small villages, the young gone to the city,
    # a high 60+ share, meals delivered a few at a time and declining
    ("D11", "石岭镇", "township", 3, 2.20, 0.05, 0.50, 250, 3200, 0.80, 0.60),
]
N_PILOT = {"D09": 60, "D10": 50, "D11": 36}
PILOT_TYPE = {
    # upt_trend: annual log trend of uptake (0 elsewhere); delivery: share of
    # small communities served by delivery only (0.85 elsewhere)
    "aging_new":  dict(small=0.05, late=0.60, g60=0.085, gmig=0.010, upt=1.30, upt_trend=0.0, delivery=0.85, dlo=0.002, dhi=0.03,
                       hh_lo=150, hh_hi=700),
    "industrial": dict(small=0.05, late=0.30, g60=0.030, gmig=0.045, upt=0.90, upt_trend=0.0, delivery=0.85, dlo=0.002, dhi=0.03,
                       hh_lo=150, hh_hi=700),
    "township":   dict(small=1.00, late=0.00, g60=-0.030, gmig=-0.040, upt=0.95, upt_trend=-0.12, delivery=1.0, dlo=0.0005,
                       dhi=0.004, hh_lo=60, hh_hi=250),
}
# communities.csv `pilot`: which pilot a community belongs to (empty elsewhere)
PILOT_CODES = {"aging_new": "aging_new_district", "industrial": "migrant_industrial_zone",
               "township": "hollowed_township"}
PILOT_STREET_NAMES = ["康乐", "颐年", "福寿", "松鹤", "工业", "高新", "创业", "物流", "石岭", "山背", "溪口"]
# 2024 funding of the pilots under the same old scheme: D09 and D10 shared a
# budget of the city's ¥120,000 per community; the township's villages had the
# county's smaller rural budget, ¥40,000 a village
PILOT_BUDGET = {"D09+D10": 120_000.0 * 110, "D11": 40_000.0 * 36}

STREET_NAMES = [
    "文昌", "天平", "望江", "长寿", "枫桥", "梅园", "白鹭", "金桥", "翠屏", "桃源",
    "石门", "宝塔", "东岳", "青石", "玉带", "丰乐", "清波", "朝天", "凤鸣", "柳营",
    "双井", "水关", "瓦市", "盐仓", "鼓角", "南门", "北坛", "东坝", "西塘", "新河",
    "沙洲", "芦荡", "渔湾", "海棠", "月桥", "星港", "锦华", "嘉禾", "科城", "港湾",
    "临湖", "滨海", "云山", "松涛", "竹溪", "杏坛", "荷花", "泉塘", "枣林", "梨园",
    "桑园", "稻香", "禾丰", "龙潭", "金沙", "银河", "铜锣", "铁山", "青禾", "松林",
]
COMMUNITY_BASES = [
    "和平", "幸福", "建设", "花园", "东风", "光明", "胜利", "友谊", "团结", "新华",
    "人民", "解放", "文化", "朝阳", "向阳", "红旗", "长青", "翠竹", "梅林", "桂园",
    "兰亭", "荷塘", "柳岸", "杏花", "桃李", "枫林", "松风", "竹园", "锦绣", "金城",
    "银杏", "玉泉", "明珠", "春晖", "秋实", "丰收", "康乐", "安居", "福寿", "长乐",
    "永安", "泰和", "宜居", "怡景", "景苑", "华庭", "绿洲", "碧水", "清河", "滨江",
    "望湖", "临江", "湖畔", "湾畔", "江南", "水岸", "凤凰", "龙湖", "白云", "彩虹",
    "晨光", "星光", "月湖", "东苑", "西苑", "南苑", "北苑", "中山", "振兴", "兴业",
    "繁荣", "富强", "民主", "和谐", "健康", "百花", "牡丹", "芙蓉", "海棠", "紫荆",
    "丁香", "玉兰", "石榴", "樱花", "书香", "墨香", "育才", "工农", "纺织", "机电",
    "铁路", "航运", "粮站", "新港", "老街", "古井", "石桥", "木桥", "城东", "城西",
]
COMMUNITY_SUFFIXES = ["", "", "", "新村", "一村", "二村", "三村", "花园", "家园", "里",
                      "苑", "坊", "东", "西", "南", "北"]


# --------------------------------------------------------------------------
# Random streams built on raw uniforms only (see module docstring)
# --------------------------------------------------------------------------
class Stream:
    def __init__(self, seed, key):
        self.rng = np.random.default_rng([seed, key])

    def uniform(self, n=None):
        return self.rng.random(n)

    def normal(self, n):
        u1 = 1.0 - self.rng.random(n)          # in (0, 1]
        u2 = self.rng.random(n)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def index(self, n, k):
        """n integers uniform on 0..k-1."""
        return np.minimum((self.rng.random(n) * k).astype(np.int64), k - 1)

    def poisson(self, lam):
        """Poisson draws for an array of means (inversion below 10, PTRS above)."""
        lam = np.asarray(lam, dtype=float)
        out = np.zeros(lam.shape, dtype=np.int64)
        flat = lam.ravel()
        res = out.ravel()
        rnd = self.rng.random
        for j, lm in enumerate(flat.tolist()):
            if lm <= 0.0:
                res[j] = 0
            elif lm < 10.0:
                u = rnd()
                k, p = 0, math.exp(-lm)
                f = p
                while u > f and k < 1000:
                    k += 1
                    p *= lm / k
                    f += p
                res[j] = k
            else:
                res[j] = _ptrs(lm, rnd)
        return res.reshape(lam.shape)


def _ptrs(lam, rnd):
    """Hörmann (1993) transformed rejection with squeeze, as in numpy's legacy code."""
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = rnd() - 0.5
        v = rnd()
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1)):
            return k


def logit(p):
    return math.log(p / (1.0 - p))


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------
# Monthly calendar factors
# --------------------------------------------------------------------------
def _daily_mean(year, month, fn):
    n = calendar.monthrange(year, month)[1]
    return sum(fn(dt.date(year, month, d)) for d in range(1, n + 1)) / n


def _sf_meal_day(day):
    sf = SPRING_FESTIVAL.get(day.year)
    best = 1.0
    for s in (sf, SPRING_FESTIVAL.get(day.year + 1), SPRING_FESTIVAL.get(day.year - 1)):
        if s is None:
            continue
        k = (day - s).days
        if -1 <= k <= 5:          # eve (除夕) + 6 days: the 7-day holiday
            best = min(best, 0.30)
        elif 6 <= k <= 14:        # until the Lantern Festival
            best = min(best, 0.85)
        elif -7 <= k <= -2:       # the week before
            best = min(best, 0.95)
    return best


def _sf_migrant_day(day):
    for y in (day.year, day.year + 1, day.year - 1):
        s = SPRING_FESTIVAL.get(y)
        if s is not None and -10 <= (day - s).days <= 15:
            return 1.0 - MIGRANT_SF_AWAY
    return 1.0


def calendar_factors():
    f = {}
    f["days"] = np.array([calendar.monthrange(y, m)[1] for y, m in MONTHS], float)
    f["dim"] = f["days"] / (365.25 / 12.0)
    f["seasonal"] = np.array([SEASONAL[m - 1] for _, m in MONTHS])
    f["sf_meals"] = np.array([_daily_mean(y, m, _sf_meal_day) for y, m in MONTHS])
    f["disruption"] = np.array([DISRUPTION.get(d, 1.0) for d in DS])
    f["sf_migrants"] = np.array([_daily_mean(y, m, _sf_migrant_day) for y, m in MONTHS])
    cov = np.array([MIGRANT_COVID.get(d, 1.0) for d in DS])
    for t, d in enumerate(DS):
        if "2020-06" <= d <= "2020-12":
            cov[t] = 0.94
        elif "2021-01" <= d <= "2022-03":
            cov[t] = 0.96 if d < "2022-01" else 0.97
        elif "2022-07" <= d <= "2024-12":
            # post-lockdown outflow of 5%, recovering linearly by 2024-12
            t0, t1 = DS.index("2022-07"), DS.index("2024-12")
            cov[t] = 0.95 + 0.05 * (t - t0) / (t1 - t0)
    f["covid_migrants"] = cov
    return f


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------
def _migrant_funding_2024(migrants, pop, budget=12_000_000.0, key=100):
    """Last year's (2024) migrant-services fund, the demo's second fund with
    its own history: 12,000,000 yuan to the communities with at least 53%
    migrants (the 2023 survey's threshold reading; communities between 50%
    and 53% are new to the fund in 2026 and have 0), in proportion to
    migrant_count * exp(0.10 z), rounded to 100 yuan.  Its own stream (key
    100), so the other streams are unchanged."""
    z = Stream(SEED, key).normal(len(migrants))
    w = np.where(migrants / pop >= 0.53, migrants * np.exp(0.10 * z), 0.0)
    return (np.round(budget * w / w.sum() / 100.0) * 100).astype(np.int64)


def _layout(S, districts, street_names, n_total, n_per_district):
    """Rows of (district, street, community); streets sized at random."""
    n_streets = sum(d[3] for d in districts)
    assert n_streets == len(street_names)
    raw = 0.6 + 0.8 * S["layout"].uniform(n_streets)          # relative street sizes
    if n_per_district is None:
        counts = np.floor(raw / raw.sum() * n_total).astype(int)
        order = np.argsort(-(raw / raw.sum() * n_total - counts), kind="stable")
        counts[order[: n_total - counts.sum()]] += 1
    else:                                                      # fixed count per district
        counts = np.zeros(n_streets, dtype=int)
        si = 0
        for d in districts:
            k, want = d[3], n_per_district[d[0]]
            r = raw[si:si + k]
            c = np.floor(r / r.sum() * want).astype(int)
            o = np.argsort(-(r / r.sum() * want - c), kind="stable")
            c[o[: want - c.sum()]] += 1
            counts[si:si + k] = c
            si += k
    street_perm = np.argsort(S["layout"].uniform(n_streets), kind="stable")
    if n_per_district is not None:     # pilots: the names are listed district by district
        street_perm = np.arange(n_streets)
    rows = []
    si = 0
    for di, d in enumerate(districts):
        for s in range(d[3]):
            sname = street_names[street_perm[si]] + ("街道" if d[2] != "township" else "片区")
            for c in range(counts[si]):
                rows.append(dict(unique_id="%s-S%02d-C%03d" % (d[0], s + 1, c + 1),
                                 di=di, district=d[1], dtype=d[2], street=sname))
            si += 1
    assert len(rows) == n_total
    return rows


def build(districts=DISTRICTS, types=TYPE, street_names=STREET_NAMES, n_total=N_COMMUNITIES,
          n_per_district=None, stream0=0, used=None, pw_fiscal=None, budget=120_000_000.0,
          n_missing=8, n_outliers=14):
    """One part of the city: the 1,000 original communities with the defaults,
    or the pilot districts (their own streams from key `stream0`, names unique
    against `used`, the fiscal mean `pw_fiscal` of the original city)."""
    cal = calendar_factors()
    S = {k: Stream(SEED, stream0 + i) for i, k in enumerate(
        ["layout", "names", "attrs", "service", "aged", "migr", "meals", "events", "funding", "defects"])}
    DISTRICTS = districts        # noqa: N806 (the tables below read the part's districts and types)
    TYPE = types                 # noqa: N806

    # ---- layout ---------------------------------------------------------
    rows = _layout(S, districts, street_names, n_total, n_per_district)
    n = len(rows)

    # ---- names (unique city-wide) --------------------------------------
    used = set() if used is None else used
    nb, ns = len(COMMUNITY_BASES), len(COMMUNITY_SUFFIXES)
    for r in rows:
        while True:
            b = int(S["names"].index(1, nb)[0])
            sfx = int(S["names"].index(1, ns)[0])
            name = (COMMUNITY_BASES[b] + "村" if r["dtype"] == "township"
                    else COMMUNITY_BASES[b] + COMMUNITY_SUFFIXES[sfx] + "社区")
            if name not in used:
                used.add(name)
                r["name"] = name
                break

    di = np.array([r["di"] for r in rows])
    dtypes = [r["dtype"] for r in rows]
    tp = lambda key: np.array([TYPE[t][key] for t in dtypes])
    dcol = lambda j: np.array([DISTRICTS[i][j] for i in di], dtype=float)

    # ---- static attributes (snapshot 2024-12) ---------------------------
    A = S["attrs"]
    pilot = "upt_trend" in TYPE[dtypes[0]]
    small = A.uniform(n) < tp("small")
    hh = np.where(small,
                  (tp("hh_lo") + (tp("hh_hi") - tp("hh_lo")) * A.uniform(n)) if pilot else 150 + 550 * A.uniform(n),
                  np.clip(2000 * np.exp(0.33 * A.normal(n)), 900, 4200))
    households = np.round(hh).astype(int)
    hsize = dcol(4) + 0.12 * A.normal(n)
    pop = np.round(households * hsize).astype(int)

    mig_share = expit(np.array([logit(DISTRICTS[i][5]) for i in di]) + 0.40 * A.normal(n))
    mig_share = np.clip(mig_share, 0.03, 0.92)
    migrants = np.round(pop * mig_share).astype(int)
    local = pop - migrants
    a_loc = expit(np.array([logit(DISTRICTS[i][6]) for i in di]) + 0.20 * A.normal(n))
    a_mig = 0.04 + 0.05 * A.uniform(n)                        # 60+ share among migrants
    aged_loc = np.round(local * a_loc).astype(int)
    aged60 = aged_loc + np.round(migrants * a_mig).astype(int)
    outflow = np.clip(dcol(10) * np.exp(0.35 * A.normal(n)), 0.0, 0.9)
    out_pop = np.round(local * outflow).astype(int)
    reg = local + out_pop
    reg60 = aged_loc + np.round(out_pop * a_loc * 0.85).astype(int)
    density = dcol(7) * np.exp(0.35 * A.normal(n))
    area = pop / density
    fiscal = dcol(8).astype(int)
    if pw_fiscal is None:
        pw_fiscal = float((fiscal * pop).sum() / pop.sum())
    difficulty = np.clip(np.sqrt(pw_fiscal / fiscal), 0.8, 1.3)

    # ---- service: mode, uptake, opening ---------------------------------
    V = S["service"]
    dshare = tp("delivery") if pilot else 0.85
    mode = np.where(small & (V.uniform(n) < dshare), "delivery", "canteen")
    upt_canteen = np.clip(tp("upt") * np.exp(0.45 * V.normal(n)), 0.15, 3.5)
    dlo, dhi = (tp("dlo"), tp("dhi")) if pilot else (0.002, 0.03)
    upt_delivery = np.exp(np.log(dlo) + (np.log(dhi) - np.log(dlo)) * V.uniform(n))
    uptake = np.where(mode == "canteen", upt_canteen, upt_delivery)
    late = V.uniform(n) < tp("late")
    t_open_early = -84 + V.index(n, 84)                       # 2012-01 .. 2018-12
    t_open_late = 3 + V.index(n, 64)                          # 2019-04 .. 2024-07
    t_open = np.where(late, t_open_late, t_open_early)
    tau = 6.0 + 9.0 * V.uniform(n)
    pre_absent = late & (V.uniform(n) < 0.5)
    # performance: mildly higher where uptake is high (canteens) or lower for delivery-only points
    perf_shift = np.where(mode == "canteen", 4.0 * np.log(upt_canteen / tp("upt")), -3.0)
    perf = np.clip(80.0 + 7.0 * V.normal(n) + perf_shift, 40, 99)

    # ---- aged60 and migrant paths ----------------------------------------
    E = S["events"]
    ev_has = E.uniform(n) < np.where(np.isin(dtypes, ["core", "inner"]), 0.10, 0.12)
    ev_t = 6 + E.index(n, 61)                                 # 2019-07 .. 2024-07
    ev_len = 1 + E.index(n, 3)
    ev_size_u = E.uniform(n)
    is_old = np.isin(dtypes, ["core", "inner"])
    # old-town renewal relocations shrink, new-estate handovers grow
    ev_kind = np.where(is_old & (E.uniform(n) < 0.75), "relocation", "handover")
    ev_size = np.where(ev_kind == "relocation", -(0.10 + 0.20 * ev_size_u), 0.08 + 0.17 * ev_size_u)
    ev_has &= ~small                                          # keep tiny communities simple
    ev_inc = np.zeros((n, T_ALL))
    for i in np.nonzero(ev_has)[0]:
        step = math.log1p(ev_size[i]) / ev_len[i]
        ev_inc[i, ev_t[i]:ev_t[i] + ev_len[i]] = step

    G = S["aged"]
    g60 = tp("g60") + 0.008 * G.normal(n)
    cohort = np.where(np.arange(T_ALL) >= COHORT_T, 1.4, 1.0)
    drift = np.outer(g60 / 12.0, cohort)
    eps = 0.0015 * G.normal(n * T_ALL).reshape(n, T_ALL)
    inc = drift + eps + ev_inc
    inc[:, 0] = 0.0
    L = np.cumsum(inc, axis=1)
    aged_path = aged60[:, None] * np.exp(L - L[:, [T_ANCHOR]])
    # planning projection for 2025: deterministic drift from the 2024-12 value
    k = np.arange(1, 13)
    aged_proj = aged60[:, None] * np.exp(np.outer(g60 / 12.0 * 1.4, k))

    M = S["migr"]
    gmig = tp("gmig") + 0.01 * M.normal(n)
    tt = np.arange(T_ALL) / 12.0
    mig_smooth = np.exp(np.outer(gmig, tt)) * (cal["sf_migrants"] * cal["covid_migrants"])[None, :]
    mig_smooth = mig_smooth * np.exp(0.5 * np.cumsum(ev_inc, axis=1))
    mig_noise = np.exp(0.015 * M.normal(n * T_ALL).reshape(n, T_ALL))
    mig_raw = mig_smooth * mig_noise
    scale = migrants / mig_raw[:, T_ANCHOR]
    mig_path = mig_raw * scale[:, None]
    mig_proj = mig_smooth[:, T_OBS:] * (migrants / mig_smooth[:, T_ANCHOR])[:, None]

    aged_int = np.round(aged_path).astype(np.int64)
    aged_int[:, T_ANCHOR] = aged60
    mig_int = np.round(mig_path).astype(np.int64)
    mig_int[:, T_ANCHOR] = migrants
    aged_proj_int = np.round(aged_proj).astype(np.int64)
    mig_proj_int = np.round(mig_proj).astype(np.int64)

    # ---- meals ------------------------------------------------------------
    Q = S["meals"]
    t = np.arange(T_ALL)
    age = t[None, :] - t_open[:, None]
    mature = np.where(age >= 0, 1.0 - 0.8 * np.exp(-age / tau[:, None]), 0.0)
    mature = np.where(age == 0, 0.5 * mature, mature)
    kd = np.array([DISTRICTS[i][9] for i in di])
    disr = np.clip(1.0 - kd[:, None] * (1.0 - cal["disruption"][None, :]), 0.05, 1.0)
    calm = (cal["seasonal"] * cal["sf_meals"] * cal["dim"])[None, :]
    phi, sig = 0.6, 0.05
    sig_stat = sig / math.sqrt(1.0 - phi * phi)
    z = Q.normal(n * T_ALL).reshape(n, T_ALL)
    eta = np.zeros((n, T_ALL))
    eta[:, 0] = sig_stat * z[:, 0]
    for j in range(1, T_ALL):
        eta[:, j] = phi * eta[:, j - 1] + sig * z[:, j]
    latent = np.exp(eta - 0.5 * sig_stat ** 2)
    if pilot:   # pilots: uptake drifting (township: falling), 1 at 2024-12
        mature = mature * np.exp(np.outer(tp("upt_trend"), (t - T_ANCHOR) / 12.0))
    mu_expected = aged_path * uptake[:, None] * mature * calm * disr   # E[y | aged60], no AR noise
    mu = mu_expected * latent
    y = Q.poisson(mu).astype(float)

    # ---- missing values and outliers (observed window only) ----------------
    X = S["defects"]
    canteen_mature = np.nonzero((mode == "canteen") & (t_open < 0) & ~ev_has)[0]
    pick = canteen_mature[np.argsort(X.uniform(len(canteen_mature)), kind="stable")]
    missing = {}
    for i in pick[:n_missing]:
        start = 6 + int(X.index(1, 60)[0])
        length = 1 + int(X.index(1, 3)[0])
        missing[int(i)] = list(range(start, start + length))
    outliers = {}
    kinds = (["spike"] * 8 + ["drop"] * 4 + ["digit"] * 2)[:n_outliers]
    cand = np.nonzero((mode == "canteen") & (t_open < 40))[0]
    cand = np.array([c for c in cand if int(c) not in missing])
    opick = cand[np.argsort(X.uniform(len(cand)), kind="stable")][: len(kinds)]
    for i, kind in zip(opick, kinds):
        lo = max(0, int(t_open[i]) + 3)                       # not in the ramp's first months
        hi = T_OBS - 3                                        # nor in the last 3 observed months
        tt_o = lo + int(X.index(1, hi - lo)[0])
        fac = {"spike": 2.5 + 1.5 * float(X.uniform()), "drop": 0.05 + 0.15 * float(X.uniform()),
               "digit": 10.0}[kind]
        y[i, tt_o] = float(round(y[i, tt_o] * fac))
        outliers[int(i)] = (tt_o, kind, fac)
    for i, ts in missing.items():
        y[i, ts] = np.nan

    # ---- last year's (2024) allocation under the old registered-basis scheme --
    F = S["funding"]
    points = np.where(mode == "delivery", 1,
                      1 + F.poisson(0.8 * aged60 / 1500.0)).astype(int)
    w = (0.5 * reg60 / reg60.sum() + 0.3 * points / points.sum() + 0.2 / n) \
        * np.exp(0.08 * F.normal(n))
    if isinstance(budget, dict):      # pilots: each district from its own 2024 budget
        codes = np.array([DISTRICTS[i][0] for i in di])
        funding = np.zeros(n, dtype=np.int64)
        for group, b in budget.items():  # "D09+D10": one budget shared by both districts
            k = np.isin(codes, group.split("+"))
            funding[k] = (np.round(b * w[k] / w[k].sum() / 100.0) * 100).astype(np.int64)
    else:
        funding = (np.round(budget * w / w.sum() / 100.0) * 100).astype(np.int64)
    # the pilots' migrant fund is set by build_city, at the city's rate
    funding_migrant = _migrant_funding_2024(migrants, pop) if stream0 == 0 else np.zeros(n, dtype=np.int64)

    # truth: beta for 2024 = E[dy/d aged60] averaged over 2024 months
    y24 = slice(T_OBS - 12, T_OBS)
    beta24 = uptake * (mature[:, y24] * calm[:, y24] * disr[:, y24]).mean(axis=1)

    return dict(rows=rows, n=n, cal=cal, households=households, pop=pop, reg=reg,
                aged60=aged60, reg60=reg60, migrants=migrants, area=area, fiscal=fiscal,
                pw_fiscal=pw_fiscal, difficulty=difficulty, perf=perf, funding=funding, funding_migrant=funding_migrant,
                points=points, mode=mode, small=small, uptake=uptake, t_open=t_open,
                tau=tau, late=late, pre_absent=pre_absent, g60=g60, gmig=gmig, kd=kd,
                ev_has=ev_has, ev_kind=ev_kind, ev_t=ev_t, ev_len=ev_len, ev_size=ev_size,
                aged_int=aged_int, mig_int=mig_int, aged_proj=aged_proj_int,
                mig_proj=mig_proj_int, y=y, mu=mu, mu_expected=mu_expected,
                missing=missing, outliers=outliers, beta24=beta24)


# --------------------------------------------------------------------------
# Writers (plain text, fixed formatting, LF, UTF-8 without BOM)
# --------------------------------------------------------------------------
def _write(path, header, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(header + "\n")
        for ln in lines:
            fh.write(ln + "\n")


def _ds(t):
    if t < 0:
        y, m = divmod(FIRST_YEAR * 12 + t, 12)
        return "%04d-%02d" % (y, m + 1)
    return DS[t]


def build_city():
    """The original 1,000 communities, then the three pilot districts."""
    g = build()
    p = build(PILOT_DISTRICTS, PILOT_TYPE, PILOT_STREET_NAMES, sum(N_PILOT.values()), N_PILOT, stream0=10,
              used={r["name"] for r in g["rows"]}, pw_fiscal=g["pw_fiscal"],
              budget=PILOT_BUDGET, n_missing=0, n_outliers=0)
    # the pilots' 2024 migrant fund: same rule, its own stream (key 110), at the
    # original city's yuan per eligible migrant
    elig = lambda d: float(d["migrants"][d["migrants"] / d["pop"] >= 0.53].sum())  # noqa: E731
    p["funding_migrant"] = _migrant_funding_2024(p["migrants"], p["pop"], 12_000_000.0 * elig(p) / elig(g), key=110)
    n = g["n"]
    out = {}
    for k, v in g.items():
        if k == "rows":
            out[k] = v + p[k]
        elif k == "n":
            out[k] = n + p[k]
        elif k in ("cal", "pw_fiscal"):
            out[k] = v
        elif k in ("missing", "outliers"):
            out[k] = dict(v, **{i + n: x for i, x in p[k].items()})
        else:
            out[k] = np.concatenate([v, p[k]])
    return out


def write_all(g, outdir):
    os.makedirs(outdir, exist_ok=True)
    rows, n = g["rows"], g["n"]
    y = g["y"]

    lines = []
    for i, r in enumerate(rows):
        uid = r["unique_id"]
        first = int(g["t_open"][i]) if g["pre_absent"][i] else 0
        for t in range(first, T_OBS):
            v = y[i, t]
            lines.append("%s,%s,%s,%d,%d" % (uid, DS[t], "" if np.isnan(v) else "%d" % v,
                                             g["aged_int"][i, t], g["mig_int"][i, t]))
        for k in range(12):
            lines.append("%s,%s,,%d,%d" % (uid, DS[T_OBS + k], g["aged_proj"][i, k],
                                           g["mig_proj"][i, k]))
    _write(os.path.join(outdir, "meals.csv"), "unique_id,ds,y,aged60,migrants", lines)

    lines = []
    for i, r in enumerate(rows):
        for t in range(T_OBS, T_ALL):
            lines.append("%s,%s,%d,%d,%d" % (r["unique_id"], DS[t], y[i, t],
                                             g["aged_int"][i, t], g["mig_int"][i, t]))
    _write(os.path.join(outdir, "holdout_2025.csv"), "unique_id,ds,y,aged60,migrants", lines)

    lines = []
    for i, r in enumerate(rows):
        lines.append(",".join([
            r["unique_id"], r["name"], r["district"], r["street"],
            "%d" % g["households"][i], "%d" % g["pop"][i], "%d" % g["reg"][i],
            "%d" % g["aged60"][i], "%.6f" % (g["aged60"][i] / g["pop"][i]),
            "%.6f" % (g["reg60"][i] / g["reg"][i]),
            "%d" % g["migrants"][i], "%.6f" % (g["migrants"][i] / g["pop"][i]),
            "%.3f" % g["area"][i], "%d" % g["fiscal"][i], "%.3f" % g["difficulty"][i],
            "%.1f" % g["perf"][i], "%d" % g["funding"][i], "%d" % g["points"][i],
            "%d" % g["funding_migrant"][i], PILOT_CODES.get(r["dtype"], "")]))
    _write(os.path.join(outdir, "communities.csv"),
           "unique_id,name,district,street,households,population_resident,"
           "population_registered,aged60_resident,aged60_share,aged60_share_registered,"
           "migrant_count,migrant_share,area_km2,fiscal_capacity,fiscal_difficulty,"
           "performance_score,last_year_funding,service_points,last_year_migrant,pilot", lines)

    lines = []
    for i, r in enumerate(rows):
        ev = ""
        if g["ev_has"][i]:
            ev = "%s:%s:%d:%+.4f" % (g["ev_kind"][i], DS[g["ev_t"][i]], g["ev_len"][i],
                                      g["ev_size"][i])
        miss = ";".join(DS[t] for t in g["missing"].get(i, []))
        out = ""
        if i in g["outliers"]:
            t, kind, fac = g["outliers"][i]
            out = "%s:%s:%.4f" % (DS[t], kind, fac)
        pre = ("absent" if g["pre_absent"][i] else "zero") if g["t_open"][i] > 0 else ""
        lines.append(",".join([
            r["unique_id"], g["mode"][i], "small" if g["small"][i] else "regular",
            "%.6f" % g["uptake"][i], _ds(int(g["t_open"][i])), "%.3f" % g["tau"][i], pre,
            "%.6f" % g["beta24"][i], "%.6f" % g["g60"][i], "%.6f" % g["gmig"][i],
            "%.2f" % g["kd"][i], ev, miss, out]))
    _write(os.path.join(outdir, "truth.csv"),
           "unique_id,service_mode,size_class,uptake,service_start,ramp_tau_months,"
           "pre_open_rows,beta_2024,aged60_growth,migrant_trend,disruption_intensity,"
           "aged60_event,missing_months,outlier", lines)

    c = g["cal"]
    lines = ["%s,%d,%.6f,%.6f,%.6f,%.2f,%.6f,%.4f" % (
        DS[t], c["days"][t], c["dim"][t], c["seasonal"][t], c["sf_meals"][t],
        c["disruption"][t], c["sf_migrants"][t], c["covid_migrants"][t]) for t in range(T_ALL)]
    _write(os.path.join(outdir, "factors.csv"),
           "ds,days_in_month,days_factor,seasonal,spring_festival,disruption_citywide,"
           "migrant_spring_festival,migrant_epidemic", lines)


def dump_truth(g, outdir):
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for i, r in enumerate(g["rows"]):
        for t in range(T_ALL):
            lines.append("%s,%s,%.4f,%.4f" % (r["unique_id"], DS[t], g["mu_expected"][i, t],
                                              g["mu"][i, t]))
    _write(os.path.join(outdir, "expected.csv"), "unique_id,ds,mu_expected,mu_latent", lines)


FILES = ["meals.csv", "communities.csv", "holdout_2025.csv", "truth.csv", "factors.csv"]


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outdir", default=os.path.join(here, "demo_city"))
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and compare bytes with --outdir")
    ap.add_argument("--dump-truth", metavar="DIR",
                    help="also write DIR/expected.csv (expected value of every y)")
    a = ap.parse_args(argv)
    g = build_city()
    if a.dump_truth:
        dump_truth(g, a.dump_truth)
    if a.check:
        tmp = tempfile.mkdtemp(prefix="demo_city_check_")
        try:
            write_all(g, tmp)
            bad = [f for f in FILES if not os.path.exists(os.path.join(a.outdir, f))
                   or not filecmp.cmp(os.path.join(tmp, f), os.path.join(a.outdir, f),
                                      shallow=False)]
        finally:
            shutil.rmtree(tmp)
        if bad:
            print("demo_city check FAILED: differs from regenerated output: " + ", ".join(bad))
            return 1
        print("demo_city check OK: %d files byte-identical" % len(FILES))
        return 0
    write_all(g, a.outdir)
    print("wrote %s (%s)" % (a.outdir, ", ".join(FILES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
