#!/usr/bin/python3
"""generate_monitoring.py -- the demo city's monitoring data (issue 14).

Writes into datasets/demo_city/ (README: "Monitoring data"):
  indicators.toml     the twenty core indicators of the plan: targets, departments
  monitoring.csv      24 months (2023-01 .. 2024-12) of the twenty indicators for
                      the 60 streets (街道), with planted misses, recoveries and
                      one department (司法局, dispute mediation) that keeps missing
  monitoring_truth.csv every planted episode (street, indicator, months, kind)
  risks.csv           the plan's four risks (the bundled risk register)
  sensor_events.csv   28 days of pseudonymous activity events of 10 people
                      living alone, with two planted incidents (in the truth file)
  sensor_truth.csv    the planted incidents

Deterministic: numpy's PCG64 seeded with SEED, raw uniforms only (normals by
Box-Muller, binomials and Poissons by inversion or a rounded normal, written
here), so the bytes do not depend on numpy's distribution algorithms.
  /usr/bin/python3 datasets/generate_monitoring.py            (re)write the files
  /usr/bin/python3 datasets/generate_monitoring.py --check    compare with the committed files
"""
import csv
import hashlib
import io
import math
import os
import sys

import numpy as np

SEED = 20230101
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "demo_city")
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]

# id, name, unit, kind, better, target form, department, denominator basis, typical margin
# target forms: ("c", value) | ("path", change, base, by) | ("table", froms, values)
EXEC_FROM = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in (1, 4, 7, 10)]
EXEC_VALUES = [0.05, 0.25, 0.50, 0.75] * 3
INDICATORS = [
    ("policy_awareness", "政策知晓率", "%", "rate", "higher", ("c", 0.85), "市委宣传部", 300, 0.04),
    ("service_coverage", "服务覆盖率", "%", "rate", "higher", ("c", 0.95), "市民政局", 4000, 0.02),
    ("problem_resolution", "问题解决率", "%", "rate", "higher", ("c", 0.90), "市信访局", 150, 0.04),
    ("satisfaction", "群众满意度", "%", "rate", "higher", ("c", 0.90), "市民政局", 300, 0.03),
    ("participation", "居民参与率", "%", "rate", "higher", ("c", 0.35), "市民政局", 20000, 0.05),
    ("mediation_success", "矛盾纠纷调解成功率", "%", "rate", "higher", ("c", 0.98), "市司法局", 60, None),
    ("emergency_supplies", "应急物资储备到位率", "%", "rate", "higher", ("c", 1.00), "市应急管理局", 25, None),
    ("major_accidents", "重大安全事故", "起", "count", "lower", ("path", -0.30, "2023", "2025"), "市应急管理局",
     None, None),
    ("fraud_cases", "电信诈骗案件", "起", "count", "lower", ("path", -0.20, "2023", "2025"), "市公安局", None,
     None),
    ("warning_accuracy", "风险预警准确率", "%", "rate", "higher", ("c", 0.85), "市大数据局", 80, 0.05),
    ("meal_coverage", "老年助餐服务覆盖率", "%", "rate", "higher", ("c", 0.60), "市民政局", 8000, 0.05),
    ("home_care_visits", "居家养老上门服务完成率", "%", "rate", "higher", ("c", 0.95), "市民政局", 500, 0.025),
    ("grid_response", "网格事件按时处置率", "%", "rate", "higher", ("c", 0.95), "市城运中心", 400, 0.025),
    ("hotline_response", "12345诉求按时响应率", "%", "rate", "higher", ("c", 0.98), "市城运中心", 600, 0.012),
    ("volunteer_share", "注册志愿者占比", "%", "rate", "higher", ("c", 0.13), "团市委", 60000, 0.03),
    ("elderly_checkup", "老年人健康体检率", "%", "rate", "higher", ("c", 0.70), "市卫健委", 15000, 0.05),
    ("fire_inspection", "消防安全检查完成率", "%", "rate", "higher", ("c", 0.98), "市消防救援支队", 120, 0.015),
    ("response_minutes", "应急响应平均时间", "分钟", "level", "lower", ("c", 15.0), "市应急管理局", 40, None),
    ("data_reporting", "数据按时上报率", "%", "rate", "higher", ("c", 0.95), "市大数据局", 200, 0.03),
    ("funds_execution", "资金执行进度", "%", "rate", "higher", ("table", EXEC_FROM, EXEC_VALUES), "市财政局", 1000,
     None),
]


class Rng:
    def __init__(self, k):
        self.g = np.random.default_rng([SEED, k])

    def u(self):
        return float(self.g.random())

    def normal(self):
        u1, u2 = self.u(), self.u()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def poisson(self, lam):
        if lam > 30:
            return max(0, int(round(lam + math.sqrt(lam) * self.normal())))
        u, k, p = self.u(), 0, math.exp(-lam)
        c = p
        while u > c and k < 1000:
            k += 1
            p *= lam / k
            c += p
        return k

    def binomial(self, n, p):
        p = min(max(p, 0.0), 1.0)
        if n * p * (1 - p) > 25:
            return min(n, max(0, int(round(n * p + math.sqrt(n * p * (1 - p)) * self.normal()))))
        return sum(1 for _ in range(n) if self.u() < p)


def streets():
    seen, out = {}, []
    with open(os.path.join(OUT, "communities.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("pilot"):   # the pilot districts D09-D11 are not monitored yet (datasets/README.md)
                continue
            sid = row["unique_id"][:7]
            if sid not in seen:
                seen[sid] = {"id": sid, "street": row["street"], "district": row["district"], "pop": 0}
                out.append(seen[sid])
            seen[sid]["pop"] += int(row["population_resident"])
    mean_pop = sum(s["pop"] for s in out) / len(out)
    for s in out:
        s["scale"] = s["pop"] / mean_pop
    return out


def indicators_toml():
    lines = ["# indicators.toml -- the twenty core indicators of the demo city's plan (generated by",
             "# datasets/generate_monitoring.py; docs/MONITORING.md states every rule).",
             "#   civicast monitor datasets/demo_city/indicators.toml datasets/demo_city/monitoring.csv",
             "# Rates are fractions (0.95 = 95%) and need a denominator in the actuals; counts are",
             "# summed in roll-ups; levels are averaged weighted by the denominator. A street merged away",
             "# or closed (区划调整, 撤并) is said once, from the first month without it, so that its months",
             "# are 'closed' rather than 'not reported' (docs/MONITORING.md, \"Units that close\"):",
             "#   [[closed]]",
             "#   unit = \"D01-S03\"",
             "#   from = \"2025-07\"",
             "#   into = \"D01-S01\"            # optional, as is note = \"...\"", "",
             "[monitor]",
             "unit_column = \"street\"       # the column of monitoring.csv naming the unit",
             "scope = \"street\"             # what the units are called in the outputs",
             "rollup = [\"district\"]        # then the city total",
             "alert_after = 2               # two misses in a row raise an alert", ""]
    for (iid, name, unit, kind, better, tgt, dept, _, _) in INDICATORS:
        lines += ["[[indicator]]", f"id = \"{iid}\"", f"name = \"{name}\"", f"unit = \"{unit}\"",
                  f"kind = \"{kind}\"", f"better = \"{better}\""]
        if tgt[0] == "c":
            lines.append(f"target = {tgt[1]:.2f}")
        elif tgt[0] == "path":
            lines += [f"target_change = {tgt[1]:.2f}          # {tgt[1]:+.0%} against the {tgt[2]} base by {tgt[3]}",
                      f"base = \"{tgt[2]}\"", f"by = \"{tgt[3]}\""]
        else:
            lines += ["# cumulative budget execution, reset every January (2025: the year ahead, for early warning)",
                      "target_from = [" + ", ".join(f"\"{d}\"" for d in tgt[1]) + "]",
                      "target_values = [" + ", ".join(f"{v:.2f}" for v in tgt[2]) + "]"]
        if kind == "count":
            lines.append("alert_after = 3               # a street's monthly count is noisy: three misses in a row")
        lines += [f"department = \"{dept}\"", ""]
    return "\n".join(lines)


def monitoring(sts):
    """Rows of monitoring.csv and the planted episodes."""
    rows, truth = [], []
    for k_ind, (iid, name, unit, kind, better, tgt, dept, den0, margin) in enumerate(INDICATORS):
        rng = Rng(100 + k_ind)
        for k_st, s in enumerate(sts):
            dip = [0.0] * 24
            # planted episodes: a one-month dip (no alert), a 2-4 month dip that
            # recovers (raised, then cleared), and some still open in 2024-12
            r = rng.u()
            if kind == "rate" and margin is not None:
                if r < 0.10:
                    m = int(rng.u() * 24)
                    dip[m] = 1.0
                    truth.append((s["id"], iid, MONTHS[m], MONTHS[m], "single miss"))
                elif r < 0.16:
                    start, length = int(rng.u() * 18), 2 + int(rng.u() * 3)
                    for m in range(start, min(24, start + length)):
                        dip[m] = 1.0
                    truth.append((s["id"], iid, MONTHS[start], MONTHS[min(23, start + length - 1)],
                                  "run of misses, recovered"))
                elif r < 0.19:
                    start = 21 + int(rng.u() * 2)
                    for m in range(start, 24):
                        dip[m] = 1.0
                    truth.append((s["id"], iid, MONTHS[start], MONTHS[23], "run of misses, open at the end"))
            for m in range(24):
                ds = MONTHS[m]
                value, den = "", ""
                if kind == "rate":
                    n = max(5, int(round(den0 * (s["scale"] if den0 > 100 else 1.0))))
                    if iid == "mediation_success":  # the department that keeps missing
                        p = 0.965 + 0.012 * rng.u() + 0.0004 * m
                    elif iid == "emergency_supplies":
                        p = 1.0 if rng.u() > 0.04 else (n - 1) / n
                    elif iid == "funds_execution":
                        q = m % 12
                        p = min(1.0, (q + 1) / 12 * (0.95 + 0.15 * rng.u()))
                    else:
                        t = tgt[1]
                        p = min(1.0, t + margin * (0.6 + 0.8 * rng.u()) - dip[m] * (1.4 * margin + 0.05))
                    if iid == "emergency_supplies":
                        k = int(round(p * n))
                    else:
                        k = rng.binomial(n, p)
                    value, den = f"{k / n:.6f}", str(n)
                elif kind == "count":
                    base = (1.5 if iid == "major_accidents" else 6.0) * s["scale"]
                    # drawn anew each street-month (not once per street): in 7 months of 10 the month's mean is
                    # the 2023 level less 3% per month since 2023-12 (2024-12: -36%), in the other 3 the 2023 level;
                    # every street expects the same -2.1% a month (2024-12: about -25%; docs/MONITORING.md)
                    drift = -0.030 if rng.u() < 0.7 else 0.0
                    lam = base * (1 + (drift * (m - 11) if m >= 12 else 0.0))
                    value = str(rng.poisson(max(lam, 0.05)))
                else:  # response minutes: a level, weighted by the number of responses
                    n = 20 + int(40 * rng.u())
                    mins = 12.0 + 2.0 * rng.normal() + (4.0 if (k_st % 17 == 3 and m >= 20) else 0.0)
                    value, den = f"{max(mins, 3.0):.2f}", str(n)
                if rng.u() < 0.004:  # a month not reported
                    value = ""
                rows.append((s["id"], s["district"], iid, ds, value, den))
        if iid == "response_minutes":
            for k_st, s in enumerate(sts):
                if k_st % 17 == 3:
                    truth.append((s["id"], iid, MONTHS[20], MONTHS[23], "slower responses, open at the end"))
    rows.sort(key=lambda r: (r[0], [i[0] for i in INDICATORS].index(r[2]), r[3]))
    truth.sort()
    return rows, truth


RISKS = [
    ("政策冲突风险", "0.70", "severe", "市委政研室", "出台前开展政策一致性审查，建立部门会商机制"),
    ("执行偏差风险", "0.65", "fairly severe", "市督查室", "月度监测，连续两月未达标即预警并督促整改"),
    ("社会抵触风险", "0.45", "moderate", "各街道办事处", "听证与公示，社区议事会先行沟通"),
    ("资源保障不足风险", "0.60", "fairly severe", "市财政局", "设立预备费，按因素法动态调剂"),
]


def sensor_events():
    """10 people, 28 days from 2025-03-01 local (UTC+8), the test's model of a home."""
    rng = Rng(900)
    t0 = 1740758400  # 2025-03-01T00:00:00+08:00 = 2025-02-28T16:00:00Z
    people = []
    for i in range(10):
        pid = "S-" + hashlib.sha256(f"sensor-{SEED}-{i}".encode()).hexdigest()[:8]
        p = {"id": pid, "wake": 6.0 + 1.5 * rng.u(), "sleep": 21.5 + 1.5 * rng.u(),
             "day": 2.0 + 3.0 * rng.u(), "night": 0.05 + 0.2 * rng.u(), "out": {}, "incident": None}
        for d in range(28):
            if rng.u() < 0.5:
                start = d * 86400 + (9 + 8 * rng.u()) * 3600
                p["out"][d] = (start, start + min(5.0, 1.5 * math.exp(0.5 * rng.normal())) * 3600)
        people.append(p)
    people[3]["incident"] = 25 * 86400 + 10.25 * 3600  # day 26 (2025-03-26) 10:15 local
    people[7]["incident"] = 27 * 86400 + 15.5 * 3600   # day 28 (2025-03-28) 15:30 local, open at the end
    events = []
    for minute in range(28 * 1440):
        s, hour, day = minute * 60, (minute / 60) % 24, minute // 1440
        for p in people:
            awake = p["wake"] <= hour < p["sleep"]
            o = p["out"].get(day)
            if o and o[0] <= s < o[1]:
                continue
            if p["incident"] is not None and p["incident"] <= s < p["incident"] + 86400:
                continue
            if rng.u() < (p["day"] if awake else p["night"]) / 60.0:
                sec = int(rng.u() * 60)
                events.append((t0 + s + sec, p["id"]))
    events.sort()
    rows = []
    for t, pid in events:
        d = np.datetime64(int(t), "s").astype(str)
        rows.append((pid, d + "Z"))
    truth = []
    for p in people:
        if p["incident"] is not None:
            at = np.datetime64(int(t0 + p["incident"]), "s").astype(str) + "Z"
            truth.append((p["id"], at, "no movement for 24 hours from this time (UTC)"))
    return rows, truth


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def generate(out):
    sts = streets()
    with open(os.path.join(out, "indicators.toml"), "w", encoding="utf-8") as f:
        f.write(indicators_toml())
    rows, truth = monitoring(sts)
    write_csv(os.path.join(out, "monitoring.csv"),
              ["street", "district", "indicator", "ds", "value", "denominator"], rows)
    write_csv(os.path.join(out, "monitoring_truth.csv"), ["street", "indicator", "from", "to", "episode"], truth)
    write_csv(os.path.join(out, "risks.csv"), ["risk", "probability", "impact", "owner", "mitigation"], RISKS)
    ev, st = sensor_events()
    write_csv(os.path.join(out, "sensor_events.csv"), ["person", "ts"], ev)
    write_csv(os.path.join(out, "sensor_truth.csv"), ["person", "incident_from", "note"], st)


FILES = ["indicators.toml", "monitoring.csv", "monitoring_truth.csv", "risks.csv", "sensor_events.csv",
         "sensor_truth.csv"]


def main():
    if "--check" in sys.argv:
        import filecmp
        import shutil
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(OUT, "communities.csv"), tmp)
            generate(tmp)
            bad = [f for f in FILES if not filecmp.cmp(os.path.join(tmp, f), os.path.join(OUT, f), shallow=False)]
        if bad:
            print("differ:", ", ".join(bad))
            return 1
        print("identical:", ", ".join(FILES))
        return 0
    generate(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
