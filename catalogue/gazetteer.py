"""A portal's administrative divisions with codes and aliases, so "在青岛怎么办" resolves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


STREET = re.compile(r"[东西南北中]?(路|街|大街|大道|巷|道|里|小区|广场)")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # 省 / 市 / 县 / 乡 / 村
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    province: Region
    regions: dict[str, Region] = field(default_factory=dict)
    # Places in China outside this portal's province (data/gazetteer/china_places.txt).
    outside: frozenset[str] = frozenset()
    # Parts of the province that span several cities ("珠三角", "胶东"): name -> city codes.
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _by_name: dict[str, list[Region]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> "Gazetteer":
        data = json.loads(path.read_text(encoding="utf-8"))
        province = _region(data["province"])
        gazetteer = cls(province)
        for region in [province, *map(_region, data.get("regions", []))]:
            gazetteer.add(region)
        gazetteer.areas = {name: tuple(codes) for name, codes in data.get("areas", {}).items()}
        return gazetteer

    def add(self, region: Region) -> None:
        self.regions[region.code] = region
        for name in {region.name, *region.aliases}:
            self._by_name.setdefault(name, []).append(region)

    def get(self, code: str | None) -> Region | None:
        return self.regions.get(code or "")

    def chain(self, code: str) -> list[Region]:
        """The region and its ancestors, most local first (county → city → province)."""
        out: list[Region] = []
        region = self.get(code) or self._nearest_known(code)
        while region is not None and region not in out:
            out.append(region)
            region = self.get(region.parent)
        return out

    def chain_codes(self, code: str) -> list[str]:
        """`chain` as codes, starting with a town's or village's own code (often not listed)."""
        own = [c for c in (code, code[:9]) if len(c) > 6 and c not in self.regions]
        return list(dict.fromkeys(own + [r.code for r in self.chain(code)]))

    def _nearest_known(self, code: str) -> Region | None:
        # A town (9 digits) or village (12 digits) code without an entry: its county.
        for length in (9, 6):
            if len(code) > length and code[:length] in self.regions:
                return self.regions[code[:length]]
        for prefix in (code[:4] + "00", code[:2] + "0000"):
            if prefix in self.regions:
                return self.regions[prefix]
        return None

    def find(self, text: str) -> list[Region]:
        """Regions mentioned in `text`, longest names first, without overlapping mentions."""
        found: list[Region] = []
        taken = [False] * len(text)
        for start, end in self._area_spans(text):  # "鲁南" names no 山东省 (鲁) but an area of it
            taken[start:end] = [True] * (end - start)
        for name in sorted(self._by_name, key=len, reverse=True):
            start = text.find(name)
            while start >= 0:
                span = range(start, start + len(name))
                if not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    for region in self._by_name[name]:
                        if region not in found:
                            found.append(region)
                start = text.find(name, start + len(name))
        return found

    def names_outside(self, text: str) -> bool:
        """Whether `text` names a place in China outside this portal's province (not a
        street named after one: 青岛的南京路, 广州的中山路)."""
        return self.outside_place(text) is not None

    def area(self, text: str) -> tuple[str, list[Region]] | None:
        """The part of the province spanning several cities that `text` names (the longest
        name; not a street named after one: 鲁南路), with its cities."""
        for start, end in self._area_spans(text):
            if not STREET.match(text, end):
                name = text[start:end]
                return name, [self.regions[code] for code in self.areas[name] if code in self.regions]
        return None

    def outside_place(self, text: str) -> str | None:
        """The place outside this portal's province that `text` names (the longest name), if any."""
        rest = self.without_regions(text)
        for name in sorted(self.outside, key=len, reverse=True):
            start = rest.find(name)
            while start >= 0:
                if not STREET.match(rest, start + len(name)):
                    return name
                start = rest.find(name, start + 1)
        return None

    def without_regions(self, text: str) -> str:
        """`text` with the region names it mentions blanked out ("青岛的呢" -> " 的呢"); area
        names stay whole ("鲁南的呢")."""
        pieces, start = [], 0
        for area_start, area_end in [*self._area_spans(text), (len(text), len(text))]:
            piece = text[start:area_start]
            for name in sorted(self._by_name, key=len, reverse=True):
                if name in piece:
                    piece = piece.replace(name, " ")
            pieces += [piece, text[area_start:area_end]]
            start = area_end
        return "".join(pieces)

    def _area_spans(self, text: str) -> list[tuple[int, int]]:
        if not self.areas:
            return []
        names = "|".join(map(re.escape, sorted(self.areas, key=len, reverse=True)))
        return [m.span() for m in re.finditer(names, text)]

    def resolve(self, text: str) -> Region | None:
        """The most local region that `text` mentions, or None."""
        order = {"村": 0, "乡": 1, "县": 2, "市": 3, "省": 4}
        mentions = self.find(text)
        return min(mentions, key=lambda r: order.get(r.level, 9)) if mentions else None


def _region(data: dict) -> Region:
    return Region(
        code=str(data["code"]),
        name=data["name"],
        level=data["level"],
        parent=data.get("parent"),
        aliases=tuple(data.get("aliases", ())),
    )


@lru_cache(maxsize=4)
def load_gazetteer(path: Path) -> Gazetteer:
    gazetteer = Gazetteer.from_file(path)
    places = path.parent / "china_places.txt"
    if places.exists():
        names = {n for line in places.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for n in line.split()}
        gazetteer.outside = frozenset(n for n in names if n not in gazetteer._by_name)
    return gazetteer
