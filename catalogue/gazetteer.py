"""A portal's administrative divisions with codes and aliases, so "在青岛怎么办" resolves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


# A region's full name (济南市, 市南区, 历下区, 广东省) rather than a short alias (济南, 历下);
# two characters are too few to tell ("城区", 汕尾's, inside "羊城区域").
FULL_NAME = re.compile(r"^.+.(省|市|区|县|镇|乡|街道|村)$")
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
    # Places in China outside this portal's province (data/gazetteer/china_places.txt),
    # longest first: "北京市" is read before "北京".
    outside: tuple[str, ...] = ()
    # Parts of the province that span several cities ("珠三角", "胶东"): name -> city codes.
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Names that hold a region's name but name no place: the province's government apps ("用爱山东
    # 点一点就能申请吗" asks online, not for the province's units). Matched anywhere, so only names no
    # other words run into (not 山东通, as in "在山东通过了考试").
    not_places: tuple[str, ...] = ()
    _by_name: dict[str, list[Region]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> "Gazetteer":
        data = json.loads(path.read_text(encoding="utf-8"))
        province = _region(data["province"])
        gazetteer = cls(province)
        for region in [province, *map(_region, data.get("regions", []))]:
            gazetteer.add(region)
        gazetteer.areas = {name: tuple(codes) for name, codes in data.get("areas", {}).items()}
        gazetteer.not_places = tuple(data.get("not_places", ()))
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
        """Regions mentioned in `text` (see `_reading`), longest names first (equal ones in
        the gazetteer's order)."""
        order = {name: n for n, name in enumerate(self._by_name)}
        found: list[Region] = []
        for _, _, name in sorted(self._reading(text), key=lambda m: (m[0] - m[1], order[m[2]])):
            found += [region for region in self._by_name[name] if region not in found]
        return found

    def _reading(self, text: str) -> list[tuple[int, int, str]]:
        """The region names `text` mentions, as (start, end, name), read without overlaps so
        that full names (ending in 省/市/区/县…) cover the most characters, then names of any
        kind, and two names side by side are one place ("青岛市南区" is 青岛 + 市南区, not 青岛市
        + a stray 南区; "青岛市北部" stays 青岛市; "济宁市中区" is not 济宁 + 济南's 市中区). On a
        tie the name that starts first is taken ("山东营业执照" is 山东, not 东营). An area's name
        is no region ("鲁南" is not 鲁 = 山东省), nor is an app's ("爱山东", `not_places`)."""
        spans = self._area_spans(text) + [m.span() for name in self.not_places for m in re.finditer(re.escape(name), text)]
        blocked = {i for start, end in spans for i in range(start, end)}
        starting: dict[int, list[tuple[int, str]]] = {}
        for name in self._by_name:
            start = text.find(name)
            while start >= 0:
                if not blocked.intersection(range(start, start + len(name))):
                    starting.setdefault(start, []).append((start + len(name), name))
                start = text.find(name, start + 1)
        # Where a name spans the cut between two others (济宁市 across 济宁|市中区), those two
        # must be one place; elsewhere two names side by side are two ("济南青岛两地").
        spanned = {cut for start, names in starting.items() for end, _ in names for cut in range(start + 1, end)}
        # best[i]: the best reading of text[i:] as ((full names' characters, all characters), names).
        Reading = tuple[tuple[int, int], tuple[tuple[int, int, str], ...]]
        best: list[Reading] = [((0, 0), ())] * (len(text) + 1)
        for i in range(len(text) - 1, -1, -1):
            options = []
            for end, name in sorted(starting.get(i, ()), reverse=True):  # the longer name first on a tie
                (full, covered), rest = best[end]
                if rest and rest[0][0] == end and end in spanned and not self._one_place(name, rest[0][2]):
                    (full, covered), rest = best[end + 1]  # the rest read without the name right after
                own = end - i
                options.append(((full + (own if FULL_NAME.search(name) else 0), covered + own), ((i, end, name), *rest)))
            options.append(best[i + 1])  # skipping this character: last, so a tie goes to a name starting here
            best[i] = max(options, key=lambda option: option[0])
        return list(best[0][1])

    def _one_place(self, name: str, following: str) -> bool:
        """Whether a name and the one right after it can be one place (the second inside the first)."""
        return any(first.code in self.chain_codes(second.code) for first in self._by_name[name] for second in self._by_name[following])

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
        return next((name for name, _ in self.outside_places(rest)), None)

    def outside_places(self, rest: str) -> list[tuple[str, int]]:
        """Each place outside this portal's province named in `rest` (text `without_regions`),
        with where it starts there, the longest names first. Names never overlap: the longer, then
        the earlier, is read ("去上海口腔医院" names 上海, not 海口)."""
        matches = []
        for name in self.outside:
            start = rest.find(name)
            while start >= 0:
                if not STREET.match(rest, start + len(name)):
                    matches.append((name, start))
                start = rest.find(name, start + 1)
        found, taken = [], set()
        for name, start in sorted(matches, key=lambda match: (-len(match[0]), match[1])):
            if not taken.intersection(range(start, start + len(name))):
                found.append((name, start))
                taken.update(range(start, start + len(name)))
        return found

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Where `text` names regions: (start, end, name), in order (see `_reading`)."""
        return sorted(self._reading(text))

    def without_regions(self, text: str) -> str:
        """`text` with the region names it mentions blanked out ("青岛的呢" -> " 的呢"); area
        names stay whole ("鲁南的呢")."""
        for start, end, _ in sorted(self._reading(text), reverse=True):
            text = text[:start] + " " + text[end:]
        return text

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
        gazetteer.outside = tuple(sorted((n for n in names if n not in gazetteer._by_name), key=lambda n: (-len(n), n)))
    return gazetteer
