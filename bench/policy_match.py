"""Policy matching at scale (policies/matcher.py), beside a per-profile Python loop.

Two questions the central kitchen answers:
- a policy is published: which of 1,000,000 profiles does it fit? (target ≤ 30 s)
- a user asks: which of 1,000 policies fit me? (target ≤ 20 ms)

Profiles are synthetic columns (every kind, Shandong regions at city and county level,
some facts missing); policies are the dev and sample portraits with their thresholds and
places varied. The baseline calls the same matcher one profile (or one policy) at a time,
as a loop over records would; for 1,000,000 profiles it is timed on a slice and scaled.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time

import numpy as np

from policies.book import PolicyBook, policy_file
from policies.importer import import_policies
from policies.matcher import PolicyTable, ProfileFrame, match, match_in_chunks
from policies.model import CERTIFICATIONS, EMPLOYMENT, FLAGS, INDUSTRIES, KINDS, SIZES, Conditions, PolicyRecord, Profile
from settings import ROOT

PROFILES = 1_000_000
POLICIES = 1_000
TARGET_PUBLISH_S = 30.0
TARGET_ASK_MS = 20.0
DEV_POLICIES = ROOT / "tests" / "data" / "policies" / "policies_dev.jsonl"
CITIES = [370100, 370200, 370300, 370400, 370500, 370600, 370700, 370800, 370900, 371000, 371100, 371300, 371400, 371500, 371600, 371700]


def synthetic_frame(n: int, rng: np.random.Generator) -> ProfileFrame:
    def numbers(low: float, high: float, missing: float = 0.1) -> np.ndarray:
        values = rng.uniform(low, high, n).round()
        values[rng.random(n) < missing] = np.nan
        return values

    city = rng.choice(CITIES, n)
    county = city + rng.integers(1, 20, n)
    region = np.where(rng.random(n) < 0.8, county, city).astype(np.int64)
    region[rng.random(n) < 0.02] = 0
    region_len = np.where(region == 0, 0, np.where(region % 100 == 0, 4, 6)).astype(np.int8)
    flags_true = (rng.random((n, len(FLAGS))) < 0.03) @ (1 << np.arange(len(FLAGS)))
    flags_missing = (rng.random((n, len(FLAGS))) < 0.1) @ (1 << np.arange(len(FLAGS)))
    return ProfileFrame(
        kind=rng.integers(0, len(KINDS), n).astype(np.int8),
        region=region,
        region_len=region_len,
        industry=rng.integers(-1, len(INDUSTRIES), n).astype(np.int8),
        size=rng.integers(-1, len(SIZES), n).astype(np.int8),
        established_years=numbers(0, 30),
        employees=numbers(0, 2000),
        revenue=numbers(0, 50000),
        rd_ratio=rng.uniform(0, 10, n),
        new_hires=numbers(0, 50),
        hires_graduates=numbers(0, 10),
        age=numbers(16, 70),
        certifications=rng.integers(0, 1 << len(CERTIFICATIONS), n).astype(np.int32) & rng.integers(0, 1 << len(CERTIFICATIONS), n).astype(np.int32),
        certifications_known=rng.random(n) > 0.1,
        hukou=rng.integers(-1, 3, n).astype(np.int8),
        education=rng.integers(-1, 6, n).astype(np.int8),
        employment=rng.integers(0, 1 << len(EMPLOYMENT), n).astype(np.int32),
        employment_known=rng.random(n) > 0.1,
        years_since_graduation=numbers(0, 40),
        flags_true=flags_true.astype(np.int32),
        flags_missing=(flags_missing & ~flags_true).astype(np.int32),
    )


def synthetic_policies(n: int, rng: np.random.Generator) -> list[Conditions]:
    sources = [p.conditions for p in import_policies(DEV_POLICIES).records]
    if policy_file().exists():
        sources += [p.conditions for p in import_policies(policy_file()).records]
    out = []
    for i in range(n):
        d = sources[i % len(sources)].present()
        for key, value in list(d.items()):
            if isinstance(value, (int, float)) and key != "hukou":
                d[key] = type(value)(max(0, value * rng.uniform(0.5, 1.5)))
        if "region" in d and rng.random() < 0.5:
            d["region"] = [str(rng.choice(CITIES))]
        for low, high in (("person_age_min", "person_age_max"), ("established_years_min", "established_years_max"),
                          ("employees_min", "employees_max"), ("revenue_min", "revenue_max")):
            if low in d and high in d and d[low] > d[high]:
                d[low], d[high] = d[high], d[low]
        out.append(Conditions.model_validate(d))
    return out


def run(args) -> bool:
    rng = np.random.default_rng(11)
    started = time.perf_counter()
    frame = synthetic_frame(PROFILES, rng)
    size_mb = sum(getattr(frame, f).nbytes for f in frame.__dataclass_fields__) / 1e6
    print(f"policy matching: {PROFILES:,} synthetic profiles ({size_mb:.0f} MB of columns, made in "
          f"{time.perf_counter() - started:.1f} s), {POLICIES:,} policies")
    conditions = synthetic_policies(POLICIES, rng)
    table = PolicyTable.from_conditions([f"S{i}" for i in range(POLICIES)], conditions)

    # A policy is published: whom does it fit? The five richest portraits, one at a time.
    richest = sorted(range(POLICIES), key=lambda i: -len(conditions[i].present()))[:5]
    publish = []
    for i in richest:
        one = PolicyTable.from_conditions(["one"], [conditions[i]])
        t = time.perf_counter()
        eligible = int((match_in_chunks(one, frame) == 0).sum())
        publish.append(time.perf_counter() - t)
    one = PolicyTable.from_conditions(["one"], [conditions[richest[0]]])
    slice_n = 5_000
    t = time.perf_counter()
    for j in range(slice_n):
        match(one, frame.take(slice(j, j + 1)))
    loop_publish = (time.perf_counter() - t) / slice_n * PROFILES

    # A user asks: which of the 1,000 policies fit me?
    asks, loop_asks = [], []
    for j in range(200):
        me = frame.take(slice(j, j + 1))
        t = time.perf_counter()
        match(table, me)
        asks.append((time.perf_counter() - t) * 1000)
    singles = [PolicyTable.from_conditions([f"S{i}"], [c]) for i, c in enumerate(conditions)]
    for j in range(5):
        me = frame.take(slice(j, j + 1))
        t = time.perf_counter()
        for single in singles:
            match(single, me)
        loop_asks.append((time.perf_counter() - t) * 1000)

    # The whole ask as the bot makes it: a profile record in, the current policies out (no reasons).
    book = PolicyBook([PolicyRecord(id=f"S{i}", title=f"政策{i}", issuer="山东省示例厅", conditions=c)
                       for i, c in enumerate(conditions)])
    record = Profile(kind="企业", region="370102", industry="C", size="小型", established_date=dt.date(2020, 3, 1),
                     employees=80, revenue=3000, rd_ratio=3.5, certifications=["高新技术企业"])
    book_asks = []
    for _ in range(100):
        t = time.perf_counter()
        book.match(record, explain=False)
        book_asks.append((time.perf_counter() - t) * 1000)

    publish_s = statistics.median(publish)
    ask_p50, ask_p99 = statistics.median(asks), float(np.percentile(asks, 99))
    print(f"{'question':<46}{'method':<34}{'time':>12}")
    print(f"{'1 policy vs 1,000,000 profiles (median of 5)':<46}{'vectorised (NumPy)':<34}{publish_s:>10.2f} s")
    print(f"{'':<46}{'per-profile Python loop*':<34}{loop_publish:>10.0f} s")
    print(f"{'1,000 policies vs 1 profile':<46}{'vectorised p50 / p99':<34}{ask_p50:>6.2f}/{ask_p99:.2f} ms")
    print(f"{'':<46}{'per-policy Python loop p50':<34}{statistics.median(loop_asks):>9.1f} ms")
    print(f"{'':<46}{'PolicyBook.match p50 (record in)':<34}{statistics.median(book_asks):>9.2f} ms")
    print(f"* timed on {slice_n:,} profiles and scaled to {PROFILES:,}; the last policy fitted {eligible:,} profiles")
    ok = publish_s <= TARGET_PUBLISH_S and ask_p99 <= TARGET_ASK_MS
    print(f"{'PASS' if ok else 'FAIL'}  publish ≤ {TARGET_PUBLISH_S:.0f} s, ask p99 ≤ {TARGET_ASK_MS:.0f} ms")
    print(json.dumps({"publish_s": round(publish_s, 3), "publish_loop_s": round(loop_publish, 1),
                      "ask_p50_ms": round(ask_p50, 3), "ask_p99_ms": round(ask_p99, 3),
                      "ask_loop_ms": round(statistics.median(loop_asks), 1), "book_ask_ms": round(statistics.median(book_asks), 2)}))
    return ok
