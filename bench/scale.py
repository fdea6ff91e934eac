"""Scale benchmark: ANN search over a synthetic Shandong catalogue of ≥ 1.9 M implementations.

Prints, from one run: index build time, resident memory of a fresh search process, and
single-query latency p50/p99 on 2 threads with and without a region filter, beside exact
search's latency, and the ANN index's recall@10 against exact search.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from bench import synthetic
from bench.serving import BUSY_LIMIT, THREADS, WARM_UP, BusyElsewhere
from settings import ROOT, get_settings

TARGET_P99_MS, TARGET_MEMORY_MB, TARGET_RECALL = 20.0, 3 * 1024, 0.95
FULL_SCALE = 1_900_000  # the real portal: 1.915 M items
QUERIES, QUERY_SEED, K = 300, 11, 10
TRAIN_SAMPLE = 200_000
LIST_SIZE = 470  # entries per inverted list: nlist = 4096 at 1.9 M entries
# SQfp16, not SQ8: one basic item's implementations score within 1e-4 of each other (for
# ~40% of queries the 10th and 11th exact hits do), below SQ8's error, so IVF-SQ8 plateaus
# at recall@10 ≈ 0.92 (measured up to nprobe 256); fp16 codes (2 GB at 1.9 M) reach 0.98.
CODEC = "SQfp16"
# nprobe as a share of nlist, measured at 1.9 M. Unfiltered, 1/128 gives recall 0.98. A
# county's ~1,700 selectable entries are ~1,700 distinct basic items spread over the whole
# space, while the lists nearest a query are full of other regions' copies of the same
# items, so filtered search needs 1/4 of the lists (0.99; 1/8 gives 0.977, 1/16 0.95).
NPROBE_SHARE, NPROBE_SHARE_FILTERED = 1 / 128, 1 / 4


def make_queries(catalogue: synthetic.Catalogue, embedder) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Item names as a citizen types them, each with a random county for the filtered run."""
    rng = np.random.default_rng(QUERY_SEED)
    texts = []
    n_items = len(catalogue.basic_names)
    for i in rng.choice(n_items, QUERIES, replace=n_items < QUERIES):  # --quick has fewer
        name = catalogue.basic_names[i]
        how = rng.integers(3)
        if how == 0:  # a dropped character
            cut = rng.integers(len(name))
            texts.append(name[:cut] + name[cut + 1 :])
        else:
            texts.append(name + ("怎么办理", "需要什么材料")[how - 1])
    counties = rng.choice(catalogue.regions_of_level("县"), QUERIES)
    return texts, embedder.encode_queries(texts), counties


def build(vectors: np.ndarray, nlist: int, codec: str) -> tuple[faiss.Index, float]:
    """Train on a sample, then add every vector in id order (ids = positions, region-sorted)."""
    start = time.perf_counter()
    index = faiss.index_factory(vectors.shape[1], f"IVF{nlist},{codec}", faiss.METRIC_INNER_PRODUCT)
    sample = np.sort(np.random.default_rng(0).choice(len(vectors), min(TRAIN_SAMPLE, len(vectors)), replace=False))
    index.train(np.ascontiguousarray(vectors[sample]))
    step = 100_000
    for at in tqdm(range(0, len(vectors), step), desc=f"add to IVF{nlist},{codec}", unit="chunk"):
        index.add(np.ascontiguousarray(vectors[at : at + step]))
    return index, time.perf_counter() - start


def serve(folder: Path) -> dict[str, np.ndarray]:
    """Run the queries in a fresh process holding only the index and the region table."""
    subprocess.run([sys.executable, "-m", "bench.serving", str(folder)], cwd=ROOT, check=True)
    with np.load(folder / "served.npz") as served:
        return dict(served)


def exact(vectors: np.ndarray, queries: np.ndarray, ranges: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Brute force with faiss's IndexFlatIP kernel, straight on the memmap (no 3.9 GB copy).

    For a single query that kernel runs on one thread (its BLAS path is slower here).
    Filtered: gather the selected ranges' rows and search only those.
    """

    def plain(i: int) -> np.ndarray:
        return faiss.knn(queries[i : i + 1], vectors, K, metric=faiss.METRIC_INNER_PRODUCT)[1][0]

    def filtered(i: int) -> np.ndarray:
        rows = np.concatenate([vectors[a:b] for a, b in ranges[i]])
        ids = np.concatenate([np.arange(a, b) for a, b in ranges[i]])
        return ids[faiss.knn(queries[i : i + 1], rows, K, metric=faiss.METRIC_INNER_PRODUCT)[1][0]]

    out: dict[str, np.ndarray] = {}
    # Plain: each query reads the whole matrix (~0.3 s), so two warm it up.
    for name, search, warm_up in (("plain", plain, 2), ("filtered", filtered, WARM_UP)):
        for i in range(warm_up):
            search(i)
        ids, latency = [], []
        with BusyElsewhere() as busy:
            for i in tqdm(range(len(queries)), desc=f"exact {name}", unit="query"):
                start = time.perf_counter()
                ids.append(search(i))
                latency.append(time.perf_counter() - start)
        out[f"{name}_ids"], out[f"{name}_latency"] = np.array(ids), np.array(latency)
        out[f"{name}_busy_elsewhere"] = np.array(busy.cores)
    return out


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)]))


def run(args) -> bool:
    faiss.omp_set_num_threads(THREADS)
    from retrieval.embedders import UseEmbedder

    catalogue = synthetic.generate(args.entries)
    levels = ", ".join(f"{level} {n:,}" for level, n in catalogue.level_counts().items())
    print(f"catalogue: {len(catalogue):,} entries of {len(catalogue.basic_names):,} basic items ({levels})")
    embedder = UseEmbedder()
    vectors = synthetic.embed(catalogue, embedder)
    texts, queries, counties = make_queries(catalogue, embedder)
    ranges = [np.array(catalogue.chain_ranges(int(c))) for c in counties]  # county, city, province
    print(f"queries: {QUERIES}, e.g. {' / '.join(texts[:3])}; filtered by a random county (+ its city, province)")

    nlist = 2 ** round(math.log2(len(catalogue) / LIST_SIZE))
    nprobe, nprobe_filtered = max(1, round(nlist * NPROBE_SHARE)), round(nlist * NPROBE_SHARE_FILTERED)
    index, build_s = build(vectors, nlist, args.codec)
    folder = get_settings().var_dir / "bench" / "run"
    folder.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(folder / "index.faiss"))
    del index
    np.save(folder / "entry_region.npy", catalogue.entry_region)
    np.savez(
        folder / "queries.npz", vectors=queries, ranges=np.array(ranges), nprobe=nprobe, nprobe_filtered=nprobe_filtered
    )
    ann = serve(folder)
    base = exact(vectors, queries, ranges)

    name, memory = f"IVF{nlist},{args.codec}", float(ann["rss"]) / 2**20
    plain_recall = recall(ann["plain_ids"], base["plain_ids"])
    filtered_recall = recall(ann["filtered_ids"], base["filtered_ids"])
    rows = [  # label, build s, memory MB, results, which run, recall@10
        (f"{name} nprobe={nprobe}", f"{build_s:.0f}", f"{memory:,.0f}", ann, "plain", plain_recall),
        (f"{name} nprobe={nprobe_filtered}, county filter", "", "", ann, "filtered", filtered_recall),
        ("exact (flat IP)", "-", f"{vectors.nbytes / 2**20:,.0f}*", base, "plain", 1.0),
        ("exact (flat IP), county filter", "-", "", base, "filtered", 1.0),
    ]
    header = ("build s", 8), ("memory MB", 10), ("p50 ms", 8), ("p99 ms", 8), ("recall@10", 10), ("CPU elsewhere", 14)
    print("\n" + f"{'search':<44}" + "".join(f"{title:>{width}}" for title, width in header))
    for label, build_cell, memory_cell, result, kind, rec in rows:
        p50, p99 = np.percentile(result[f"{kind}_latency"], [50, 99]) * 1000
        busy = float(result[f"{kind}_busy_elsewhere"])
        print(f"{label:<44}{build_cell:>8}{memory_cell:>10}{p50:>8.2f}{p99:>8.2f}{rec:>10.3f}{busy:>8.2f} cores")
    print(
        "memory: RSS of a fresh process holding the index and id→region table; *exact: its float32 matrix.\n"
        f"latency: one query at a time, {THREADS} threads, after warm-up; recall@10 vs exact search "
        "(filtered: vs exact search over the same county's entries).\n"
        "CPU elsewhere: what other processes used meanwhile; latencies are clean only when it is near 0."
    )
    p99 = max(np.percentile(ann[f"{kind}_latency"], 99) * 1000 for kind in ("plain", "filtered"))
    checks = [
        (f"p99 ≤ {TARGET_P99_MS:.0f} ms", p99 <= TARGET_P99_MS, f"{p99:.2f} ms"),
        (f"memory ≤ {TARGET_MEMORY_MB / 1024:.0f} GiB", memory <= TARGET_MEMORY_MB, f"{memory:,.0f} MB"),
        (f"recall@10 ≥ {TARGET_RECALL}", min(plain_recall, filtered_recall) >= TARGET_RECALL,
         f"{min(plain_recall, filtered_recall):.3f}"),
    ]
    attempts = {kind: int(ann[f"{kind}_attempts"]) for kind in ("plain", "filtered")}
    if max(attempts.values()) > 1:
        print(f"ANN timed loops repeated while other processes used > {BUSY_LIMIT} cores: {attempts} attempts")
    if max(float(ann[f"{kind}_busy_elsewhere"]) for kind in attempts) > BUSY_LIMIT:
        print("warning: other processes used the CPU while the ANN index was timed; rerun on a quiet machine")
    judged = len(catalogue) >= FULL_SCALE  # nprobe was tuned at full scale; --quick is a smoke test
    for target, ok, value in checks:
        print(f"{('PASS' if ok else 'FAIL') if judged else 'n/a '}  {target}: {value}")
    if not judged:
        print(f"(targets are judged on ≥ {FULL_SCALE:,} entries only)")
    return all(ok for _, ok, _ in checks) or not judged
