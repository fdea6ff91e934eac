"""A synthetic Shandong catalogue at the real portal's scale (~1.9 M implementations).

The real portal's items are mostly the same basic items (事项基本目录) implemented by
thousands of units (实施清单). Here each basic item gets one level, and every region of
that level implements it once. Everything is compact numpy arrays (not `ServiceItem`s):
at this scale Python objects alone would cost gigabytes.

Entries are sorted by region (province, cities, counties, towns, villages), so each
region's entries are one contiguous id range and a region filter is a few ranges.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from catalogue.model import LEVELS
from settings import get_settings

SEED = 7
# Share of basic items per level (省/市/县/乡/村), tuned so the 2,193 distinct names give
# ≥ 1.9 M entries (1.9 M takes the first 2,188: 1,934,490 entries), most of them town and
# village implementations, as on the real portal.
FRACTIONS = (0.352, 0.20, 0.25, 0.19, 0.008)
TOWNS_PER_COUNTY = 12
VILLAGES_PER_TOWN = 40
DEPARTMENTS = {
    "省": ("公安厅", "市场监督管理局", "人力资源和社会保障厅", "自然资源厅", "卫生健康委员会", "交通运输厅"),
    "市": ("公安局", "市场监督管理局", "人力资源和社会保障局", "行政审批服务局", "民政局", "住房和城乡建设局"),
    "县": ("公安局", "市场监督管理局", "人力资源和社会保障局", "行政审批服务局", "民政局", "农业农村局"),
    "乡": ("便民服务中心", "社会事务办公室", "综合执法办公室"),
    "村": ("村民委员会",),
}
# Entry text is "事项名（实施主体）"; rather than embed 1.9 M strings, an entry's vector is
# normalise(0.8·basic + 0.2·unit), which approximates embedding that text: the item name
# dominates and the unit's name nudges it.
BASIC_WEIGHT, UNIT_WEIGHT = 0.8, 0.2
CHUNK = 100_000  # rows composed at a time: bounds the generator's memory


@dataclass
class Catalogue:
    basic_names: list[str]
    basic_level: np.ndarray  # int8 index into LEVELS, by basic item
    basic_dept: np.ndarray  # int8 index into DEPARTMENTS[level], by basic item
    region_code: np.ndarray  # int64 GB/T 2260 code (12 digits for villages), by region
    region_name: list[str]
    region_level: np.ndarray  # int8, by region
    region_parent: np.ndarray  # int32 region index, -1 for the province
    region_start: np.ndarray  # int64: region r's entries are ids [start[r], end[r])
    region_end: np.ndarray
    entry_basic: np.ndarray  # int32, by entry id
    entry_region: np.ndarray  # int32, by entry id

    def __len__(self) -> int:
        return len(self.entry_basic)

    def level_counts(self) -> dict[str, int]:
        counts = np.bincount(self.region_level[self.entry_region], minlength=len(LEVELS))
        return dict(zip(LEVELS, counts.tolist()))

    def chain_ranges(self, region: int) -> list[tuple[int, int]]:
        """Id ranges of the region and its ancestors: what a user there may apply for."""
        ranges = []
        while region >= 0:
            ranges.append((int(self.region_start[region]), int(self.region_end[region])))
            region = int(self.region_parent[region])
        return ranges

    def regions_of_level(self, level: str) -> np.ndarray:
        return np.flatnonzero(self.region_level == LEVELS.index(level))


def basic_item_names(path: Path) -> list[str]:
    """Distinct real item names, relabelled from Guangdong to Shandong."""
    with path.open(encoding="utf-8") as fh:
        names = (json.loads(line)["TASK_NAME"].strip().replace("广东", "山东") for line in fh)
        return list(dict.fromkeys(n for n in names if n))


def _regions(gazetteer_path: Path) -> tuple[list[int], list[str], list[int], list[int]]:
    """(code, name, level, parent) of every region, province first, then level by level."""
    data = json.loads(gazetteer_path.read_text(encoding="utf-8"))
    codes, names, levels, parents = [int(data["province"]["code"])], [data["province"]["name"]], [0], [-1]
    by_code = {codes[0]: 0}

    def add(code: int, name: str, level: int, parent: int) -> None:
        by_code[code] = len(codes)
        codes.append(code), names.append(name), levels.append(level), parents.append(parent)

    for level in ("市", "县"):
        for r in sorted((r for r in data["regions"] if r["level"] == level), key=lambda r: r["code"]):
            add(int(r["code"]), r["name"], LEVELS.index(level), by_code[int(r["parent"])])
    # Synthetic towns and villages: code = parent code + 3 digits.
    counties = [i for i, lv in enumerate(levels) if lv == LEVELS.index("县")]
    for county in counties:
        town = "街道" if names[county].endswith("区") else "镇"
        for t in range(1, TOWNS_PER_COUNTY + 1):
            add(codes[county] * 1000 + t, f"{names[county]}第{t}{town}", LEVELS.index("乡"), county)
    towns = [i for i, lv in enumerate(levels) if lv == LEVELS.index("乡")]
    for town in towns:
        for v in range(1, VILLAGES_PER_TOWN + 1):
            add(codes[town] * 1000 + v, f"{names[town]}第{v}村", LEVELS.index("村"), town)
    return codes, names, levels, parents


def _level_of_items(n_items: int) -> np.ndarray:
    """Levels by exact shares (not per-item draws), so the entry count is predictable."""
    bounds = np.floor(np.cumsum(FRACTIONS) * n_items + 0.5).astype(int)
    return np.searchsorted(bounds, np.arange(n_items), side="right").astype(np.int8)


def generate(min_entries: int = 1_900_000) -> Catalogue:
    """The smallest prefix of the (seeded, shuffled) basic items yielding ≥ min_entries."""
    settings = get_settings()
    rng = np.random.default_rng(SEED)
    names = basic_item_names(settings.data_dir / "catalogues" / "guangdong" / "gd_service_items.jsonl")
    names = [names[i] for i in rng.permutation(len(names))]
    codes, region_names, levels, parents = _regions(settings.data_dir / "gazetteer" / "shandong.json")
    region_level = np.asarray(levels, dtype=np.int8)
    regions_per_level = np.bincount(region_level, minlength=len(LEVELS))
    for n_items in range(1, len(names) + 1):
        total = int(regions_per_level[_level_of_items(n_items)].sum())
        if total >= min_entries:
            break
    else:
        raise ValueError(f"{len(names)} basic items yield only {total:,} entries < {min_entries:,}")
    names = names[:n_items]
    basic_level = _level_of_items(n_items)
    rng.shuffle(basic_level)  # levels independent of the name order
    basic_dept = np.array([rng.integers(len(DEPARTMENTS[LEVELS[lv]])) for lv in basic_level], dtype=np.int8)

    # One entry per (region, basic item of the region's level), grouped by region.
    items_of_level = [np.flatnonzero(basic_level == lv) for lv in range(len(LEVELS))]
    per_region = np.array([len(items_of_level[lv]) for lv in region_level], dtype=np.int64)
    region_end = np.cumsum(per_region)
    region_start = region_end - per_region
    entry_region = np.repeat(np.arange(len(codes), dtype=np.int32), per_region)
    entry_basic = np.concatenate(
        [np.tile(items_of_level[lv], int(regions_per_level[lv])) for lv in range(len(LEVELS))]
    ).astype(np.int32)
    return Catalogue(
        basic_names=names,
        basic_level=basic_level,
        basic_dept=basic_dept,
        region_code=np.asarray(codes, dtype=np.int64),
        region_name=region_names,
        region_level=region_level,
        region_parent=np.asarray(parents, dtype=np.int32),
        region_start=region_start,
        region_end=region_end,
        entry_basic=entry_basic,
        entry_region=entry_region,
    )


def embed(catalogue: Catalogue, embedder) -> np.memmap:
    """The entries' vectors as a read-only float32 memmap, computed once per parameter set."""
    # Keyed by everything the vectors depend on, so a changed parameter never reuses stale ones.
    digest = hashlib.sha1()
    for part in (embedder.name, BASIC_WEIGHT, UNIT_WEIGHT, DEPARTMENTS, catalogue.basic_names, catalogue.region_name):
        digest.update(json.dumps(part, ensure_ascii=False).encode("utf-8"))
    for array in (catalogue.basic_level, catalogue.basic_dept, catalogue.region_level, catalogue.region_start):
        digest.update(array.tobytes())
    key = digest.hexdigest()[:16]
    folder = get_settings().var_dir / "bench"
    path = folder / f"vectors-{key}.f32"
    shape = (len(catalogue), embedder.dim)
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        basic = _encode(embedder, catalogue.basic_names, "embed basic items")
        # A unit is (region, department), numbered region·8 + department (≤ 6 per level):
        # embed each distinct one once.
        unit_of_entry = catalogue.entry_region.astype(np.int64) * 8 + catalogue.basic_dept[catalogue.entry_basic]
        units, unit_row = np.unique(unit_of_entry, return_inverse=True)
        unit_texts = [
            catalogue.region_name[r] + DEPARTMENTS[LEVELS[catalogue.region_level[r]]][d]
            for r, d in (divmod(int(u), 8) for u in units)
        ]
        unit_vectors = _encode(embedder, unit_texts, "embed units")
        partial = path.with_suffix(".partial")
        out = np.memmap(partial, dtype=np.float32, mode="w+", shape=shape)
        for start in tqdm(range(0, shape[0], CHUNK), desc="compose entry vectors", unit="chunk"):
            stop = min(start + CHUNK, shape[0])
            block = (
                BASIC_WEIGHT * basic[catalogue.entry_basic[start:stop]]
                + UNIT_WEIGHT * unit_vectors[unit_row[start:stop]]
            )
            out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        out.flush()
        del out
        os.replace(partial, path)  # only a complete file is ever reused
    return np.memmap(path, dtype=np.float32, mode="r", shape=shape)


def _encode(embedder, texts: list[str], desc: str, batch: int = 4096) -> np.ndarray:
    parts = [embedder.encode_passages(texts[i : i + batch]) for i in tqdm(range(0, len(texts), batch), desc=desc)]
    return np.concatenate(parts)
