"""12345 hot issues at a province's scale: a day of 40,000 synthetic hotline records
classified (assist's classifier), placed and grouped (insight/), and a month ingested
incrementally, a day at a time, each day followed by the hot issues of its last 7 days.
Baseline in the same run: TF-IDF + MeanShift (the 2020 泰迪杯 solutions' method) on a sample.

Records are generated from authored problem templates at synthetic places (no real
record); planted bursts (one problem at one place, 30 messages a day) give the grouping a
precision and recall. Embeddings are computed, not read from the cache.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import random  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from assist.classifier import build_classifier, message_text  # noqa: E402
from insight.hot import prepare, rank_issues  # noqa: E402
from insight.pipeline import EMBED_BATCH, place_finder  # noqa: E402
from insight.records import Record  # noqa: E402
from insight.store import InsightStore, classify  # noqa: E402
from retrieval.embedders import UseEmbedder  # noqa: E402
from settings import get_settings  # noqa: E402

DAY = 40_000
BURSTS_PER_DAY, BURST_SIZE = 20, 30
BASELINE_SAMPLE = 5_000
TARGET_DAY_S, TARGET_MONTH_DAY_S, TARGET_GB = 60.0, 60.0, 4.0
WINDOW = timedelta(days=7)
SEED = 12345

# (category, title, text): authored; {p} is a place, {d} a detail that makes each message its own.
PROBLEMS = [
    ("城乡建设", "{p}停水", "{p}从{d}开始停水，物业没有提前通知，居民做饭洗漱都成问题，请供水部门尽快处理。"),
    ("城乡建设", "{p}电梯经常故障", "{p}{d}的电梯这个月坏了好几次，还困过人，物业只是简单修一下，请监管部门检查。"),
    ("城乡建设", "{p}物业乱收费", "{p}物业{d}突然涨了物业费，也没有开业主大会，服务却越来越差，请住建部门查一查。"),
    ("城乡建设", "{p}房子交付后漏水", "{p}{d}交房的房子墙面渗水、屋顶漏水，开发商一直拖着不修。"),
    ("环境保护", "{p}附近工地夜间施工噪音", "{p}旁边的工地{d}还在施工，噪音很大，孩子老人都睡不着，请环保部门查处。"),
    ("环境保护", "{p}餐馆油烟扰民", "{p}楼下几家餐馆{d}油烟直排，家里窗户都不敢开，请相关部门整治。"),
    ("环境保护", "{p}垃圾无人清运", "{p}门口的垃圾桶{d}都没有清运，臭味很大，蚊蝇很多。"),
    ("交通运输", "{p}附近公交班次太少", "{p}到市区的公交{d}一个小时才一班，上班上学都不方便，建议增加班次。"),
    ("交通运输", "{p}门口道路坑洼", "{p}门口的道路{d}以来坑坑洼洼，下雨就积水，电动车经常摔倒，请尽快维修。"),
    ("交通运输", "{p}周边乱停车", "{p}周边{d}车辆乱停，堵住了消防通道，请交警部门管理。"),
    ("教育文体", "{p}附近学校学位紧张", "{p}的孩子{d}报名上小学，被告知学位已满，要去很远的学校。"),
    ("教育文体", "{p}培训机构退费难", "{p}的一家培训机构{d}突然关门，预交的学费退不回来。"),
    ("劳动和社会保障", "{p}企业拖欠工资", "我在{p}附近的一家企业上班，{d}以来一直没有发工资，请劳动监察部门帮忙。"),
    ("劳动和社会保障", "{p}社保缴费问题", "{p}的公司{d}没有给员工缴社保，请社保部门核查。"),
    ("卫生计生", "{p}社区医院缺药", "{p}社区卫生服务中心{d}常用药经常缺货，老人只能去大医院开药。"),
    ("卫生计生", "{p}诊所无证行医", "{p}附近有一家诊所{d}以来一直营业，听说没有执业许可证。"),
    ("商贸旅游", "{p}超市卖过期食品", "在{p}附近的超市{d}买到过期食品，商家拒绝退换，请市场监管部门处理。"),
    ("商贸旅游", "{p}商户缺斤少两", "{p}市场里的摊位{d}缺斤少两，请市场监管部门检查电子秤。"),
    ("民政", "{p}老年食堂停办", "{p}的老年食堂{d}停办了，独居老人吃饭成了问题。"),
    ("政法", "{p}电动车被盗", "{p}{d}接连有电动车被盗，小区监控也坏了，请派出所加强巡逻。"),
]
PLACE_CHARS = "金华泰和丰瑞祥安康宁泉景秀鑫隆盛嘉禾翠柳荷梅兰竹松桂汇鼎恒昌德信宏远新阳明月星海湖山河源溪林峰锦绣云凤龙"
PLACE_SUFFIXES = ("小区", "花园", "家园", "苑", "新城")
GENERIC_MESSAGES = ("咨询居住证怎么办理", "请问公积金怎么提取", "建议增加公共厕所", "请问养老保险怎么转移", "咨询营业执照办理流程")


def synthetic_day(day: datetime, number: int, rng: random.Random, districts: list[str]) -> tuple[list[Record], list[list[str]]]:
    """A day of records and, per planted burst, its message ids."""
    places = [f"{rng.choice(districts)}{''.join(rng.sample(PLACE_CHARS, 3))}{rng.choice(PLACE_SUFFIXES)}" for _ in range(max(number // 10, 50))]
    records: list[Record] = []
    bursts: list[list[str]] = []

    def add(place: str | None, problem: tuple[str, str, str]) -> str:
        ident = f"{day:%Y%m%d}-{len(records):06d}"
        detail = f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元，{rng.randint(1, 12)}月{rng.randint(1, 28)}日{rng.randint(0, 23)}点"
        when = day + timedelta(seconds=rng.randint(0, 86399))
        category, title, text = problem
        if place is None:
            title, text = rng.choice(GENERIC_MESSAGES), f"您好，{detail}想咨询一下，{rng.choice(GENERIC_MESSAGES)}，需要什么材料？"
        records.append(Record(ident, when, title.format(p=place), text.format(p=place, d=detail), likes=rng.choice((0, 0, 0, 1, 3))))
        return ident

    for _ in range(BURSTS_PER_DAY):
        place, problem = rng.choice(places), rng.choice(PROBLEMS)
        bursts.append([add(place, problem) for _ in range(BURST_SIZE)])
    while len(records) < number:
        add(None if rng.random() < 0.3 else places[min(int(rng.paretovariate(1.2)) - 1, len(places) - 1)] if rng.random() < 0.2 else rng.choice(places), rng.choice(PROBLEMS))
    return records, bursts


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def burst_quality(issues, bursts: list[list[str]]) -> tuple[float, float]:
    precisions, recalls = [], []
    for burst in bursts:
        gold = set(burst)
        best = max(issues, key=lambda i: len(gold & set(i.message_ids)) / len(gold | set(i.message_ids)), default=None)
        found = set(best.message_ids) if best else set()
        precisions.append(len(found & gold) / max(len(found), 1))
        recalls.append(len(found & gold) / len(gold))
    return float(np.mean(precisions)), float(np.mean(recalls))


def baseline(records: list[Record], bursts: list[list[str]]) -> tuple[float, float, float]:
    """TF-IDF (characters) + MeanShift on a sample of the day; seconds, precision, recall."""
    from sklearn.cluster import MeanShift, estimate_bandwidth
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    chosen = {i for b in bursts[:5] for i in b}
    sample = [r for r in records if r.id in chosen] + [r for r in records if r.id not in chosen][: BASELINE_SAMPLE - len(chosen)]
    started = time.perf_counter()
    matrix = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform([f"{r.title}。{r.text}" for r in sample])
    reduced = TruncatedSVD(64, random_state=0).fit_transform(matrix)
    bandwidth = estimate_bandwidth(reduced, quantile=0.01, n_samples=1000, random_state=0)
    labels = MeanShift(bandwidth=bandwidth, bin_seeding=True, n_jobs=2).fit_predict(reduced)
    seconds = time.perf_counter() - started

    class Group:
        def __init__(self, ids):
            self.message_ids = ids

    groups: dict[int, list[str]] = {}
    for record, label in zip(sample, labels):
        groups.setdefault(int(label), []).append(record.id)
    precision, recall = burst_quality([Group(ids) for ids in groups.values()], bursts[:5])
    return seconds, precision, recall


def run(args) -> bool:
    global DAY
    DAY = getattr(args, "hotline_records", None) or DAY
    days = 2 if getattr(args, "quick", False) else getattr(args, "hotline_days", None) or 30
    rng = random.Random(SEED)
    finder = place_finder()
    gazetteer_districts = sorted({d for d in finder.district_of.values()}) or ["A1区"]
    classifier = build_classifier(get_settings())
    embedder = UseEmbedder(batch=EMBED_BATCH)  # no cache: every message is embedded, as it would be on the day
    start = datetime(2026, 7, 1)
    records, bursts = synthetic_day(start, DAY, rng, gazetteer_districts)

    timings: dict[str, float] = {}
    t = time.perf_counter()
    ordered = sorted(records, key=lambda r: (r.time, r.id))
    prepared = prepare(ordered, embedder, finder)
    timings["place, embed, tokenise"] = time.perf_counter() - t
    t = time.perf_counter()
    classify(classifier, [message_text({"title": r.title, "text": r.text}) for r in ordered], prepared.vectors)
    timings["classify (with those vectors)"] = time.perf_counter() - t
    t = time.perf_counter()
    issues = rank_issues(ordered, prepared, WINDOW)
    timings["group, label, heat"] = time.perf_counter() - t
    day_seconds = sum(timings.values())
    precision, recall = burst_quality(issues, bursts)
    base_seconds, base_precision, base_recall = baseline(records, bursts)

    print(f"hotline day: {DAY:,} synthetic records, {BURSTS_PER_DAY} planted bursts of {BURST_SIZE}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'method':<40}{'records':>9}{'seconds':>9}{'rec/s':>8}{'burst P':>9}{'burst R':>9}")
    for stage, seconds in timings.items():
        print(f"{'  ' + stage:<40}{DAY:>9,}{seconds:>9.1f}{DAY / seconds:>8.0f}")
    print(f"{'Tongban: classify + place + group':<40}{DAY:>9,}{day_seconds:>9.1f}{DAY / day_seconds:>8.0f}{precision:>9.2f}{recall:>9.2f}")
    print(f"{'baseline: TF-IDF + MeanShift (sample)':<40}{BASELINE_SAMPLE:>9,}{base_seconds:>9.1f}{BASELINE_SAMPLE / base_seconds:>8.0f}{base_precision:>9.2f}{base_recall:>9.2f}")

    # A month, a day at a time: ingest the day (classify, place, embed), then the hot issues
    # of the last 7 days (the day's messages grouped with the standing groups, insight.store).
    per_day: list[float] = []
    day_quality: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        store = InsightStore(Path(scratch) / "insight.sqlite", WINDOW)
        for number in range(days):
            day = start + timedelta(days=number)
            day_records, day_bursts = (records, bursts) if number == 0 else synthetic_day(day, DAY, rng, gazetteer_districts)
            t = time.perf_counter()
            store.ingest(day_records, embedder, finder, classifier)
            ingested = time.perf_counter() - t
            store.group_new()
            grouped = time.perf_counter() - t - ingested
            day_issues = store.hot(end=day + timedelta(days=1))
            per_day.append(time.perf_counter() - t)
            day_quality.append(burst_quality(day_issues, day_bursts))
            print(
                f"  day {number + 1}/{days}: {per_day[-1]:.1f} s (ingest {ingested:.1f}, group {grouped:.1f}, rank {per_day[-1] - ingested - grouped:.1f}),"
                f" the day's bursts P {day_quality[-1][0]:.2f} R {day_quality[-1][1]:.2f},"
                f" peak memory {peak_gb():.2f} GB",
                flush=True,
            )
    gb = peak_gb()
    month_p, month_r = np.mean(day_quality, axis=0)
    print(
        f"{'month, a day at a time (7-day window)':<40}{days * DAY:>9,}{'mean':>5} {np.mean(per_day):.1f} s/day,"
        f" max {max(per_day):.1f} s/day; bursts P {month_p:.2f} R {month_r:.2f}"
    )
    ok_day, ok_month, ok_memory = day_seconds <= TARGET_DAY_S, max(per_day) <= TARGET_MONTH_DAY_S, gb <= TARGET_GB
    print(f"{'PASS' if ok_day else 'FAIL'}  a day of {DAY:,} in ≤ {TARGET_DAY_S:.0f} s ({day_seconds:.1f} s)")
    print(f"{'PASS' if ok_month else 'FAIL'}  {days} days incrementally ≤ {TARGET_MONTH_DAY_S:.0f} s a day (max {max(per_day):.1f} s)")
    workers_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    print(f"{'PASS' if ok_memory else 'FAIL'}  peak memory ≤ {TARGET_GB:.0f} GB ({gb:.2f} GB; forked workers, sharing its pages until they write them, up to {workers_gb:.2f} GB each)")
    return ok_day and ok_month and ok_memory
