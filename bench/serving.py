"""The measured search process: `python -m bench.serving FOLDER`.

It holds only what a search server would (the ANN index and the id→region table), so its
resident memory is the product's, without the float32 matrix used for exact search. It
answers the benchmark's queries one at a time and writes ids, latencies and RSS back.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import faiss
import numpy as np
import psutil

THREADS = 2
WARM_UP = 20
# The timed loop takes seconds: when other processes took more than BUSY_LIMIT cores
# meanwhile, time it again (up to ATTEMPTS), to measure this code rather than its neighbours.
BUSY_LIMIT, ATTEMPTS, PAUSE_S = 0.25, 5, 10.0


class BusyElsewhere:
    """CPU cores used by other processes during a timed loop: latencies are clean near 0."""

    def __enter__(self) -> "BusyElsewhere":
        self._start = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        wall, busy, own = (b - a for a, b in zip(self._start, self._sample()))
        self.cores = max(0.0, (busy - own) / wall)

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        cpu = psutil.cpu_times()
        own = psutil.Process().cpu_times()
        return time.perf_counter(), sum(cpu) - cpu.idle - getattr(cpu, "iowait", 0.0), own.user + own.system


def filter_params(ranges: np.ndarray, nprobe: int) -> faiss.SearchParametersIVF:
    """Entries of a region and its ancestors: a union of id ranges (entries are region-sorted)."""
    selector = faiss.IDSelectorRange(int(ranges[0][0]), int(ranges[0][1]))
    for start, end in ranges[1:]:
        selector = faiss.IDSelectorOr(selector, faiss.IDSelectorRange(int(start), int(end)))
    return faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)  # faiss keeps `selector` alive


def main(folder: Path) -> None:
    faiss.omp_set_num_threads(THREADS)
    index = faiss.read_index(str(folder / "index.faiss"))
    index.parallel_mode = 1  # one query's probes are shared by both threads
    region_of_entry = np.load(folder / "entry_region.npy")
    work = np.load(folder / "queries.npz")
    queries, ranges = work["vectors"], work["ranges"]
    nprobe, nprobe_filtered = int(work["nprobe"]), int(work["nprobe_filtered"])

    def plain(i: int) -> np.ndarray:
        return index.search(queries[i : i + 1], 10, params=faiss.SearchParametersIVF(nprobe=nprobe))[1][0]

    def filtered(i: int) -> np.ndarray:
        return index.search(queries[i : i + 1], 10, params=filter_params(ranges[i], nprobe_filtered))[1][0]

    out: dict[str, np.ndarray] = {}
    for name, search in (("plain", plain), ("filtered", filtered)):
        for i in range(WARM_UP):
            search(i)
        for attempt in range(1, ATTEMPTS + 1):
            ids, latency = [], []
            with BusyElsewhere() as busy:
                for i in range(len(queries)):
                    start = time.perf_counter()
                    hits = search(i)
                    region_of_entry[hits]  # what a caller needs next: each hit's region
                    latency.append(time.perf_counter() - start)
                    ids.append(hits)
            if busy.cores <= BUSY_LIMIT or attempt == ATTEMPTS:
                break
            time.sleep(PAUSE_S)
        out[f"{name}_ids"], out[f"{name}_latency"] = np.array(ids), np.array(latency)
        out[f"{name}_busy_elsewhere"], out[f"{name}_attempts"] = np.array(busy.cores), np.array(attempt)
    out["rss"] = np.array(psutil.Process().memory_info().rss)
    np.savez(folder / "served.npz", **out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
