"""The catalogue of the portal a deployment serves: items, policies, theme services, regions."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.gazetteer import Gazetteer, load_gazetteer
from catalogue.importers import import_guangdong, import_items, import_policies, import_themes
from catalogue.model import LEVELS, Policy, ServiceItem, ThemeService
from settings import Settings, get_settings

log = logging.getLogger(__name__)

THEME_TYPE = "主题服务"  # the `type` of a theme service's entry (Catalogue.theme_entry)
# The label the province's theme names carry (退休“一件事”): it says what kind of service it
# is, not what the service is about, so it is no word of the theme's thing.
THEME_LABEL = "“一件事”"

# Which file holds what, per portal; the importer is chosen by the file.
ITEM_FILES = {"shandong": "items.jsonl", "guangdong": "gd_service_items.jsonl"}


@dataclass
class Catalogue:
    portal: str
    items: dict[str, ServiceItem]
    gazetteer: Gazetteer
    policies: dict[str, Policy] = field(default_factory=dict)
    themes: dict[str, ThemeService] = field(default_factory=dict)
    source_files: tuple[Path, ...] = ()
    _by_basic: dict[str, list[ServiceItem]] = field(default_factory=dict, repr=False)
    _theme_entries: dict[str, ServiceItem] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for item in self.items.values():
            if item.basic_code:
                self._by_basic.setdefault(item.basic_code, []).append(item)
        # Built once: replies compare several themes on every message (actions/choices.py).
        self._theme_entries = {code: self._make_theme_entry(theme) for code, theme in self.themes.items()}

    def fingerprint(self) -> str:
        """A content hash of the source files: an index is valid while this matches."""
        digest = hashlib.sha256()
        for path in sorted(self.source_files):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def entries(self) -> list[ServiceItem]:
        """What retrieval ranks in one list: the items and the theme services (as entries)."""
        return [*self.items.values(), *self._theme_entries.values()]

    def entry(self, code: str | None) -> ServiceItem | None:
        """An item or a theme service's entry, by code."""
        if code in self.themes:
            return self.theme_entry(self.themes[code])
        return self.items.get(code or "")

    def theme_entry(self, theme: ThemeService) -> ServiceItem:
        """A theme service seen as one entry: its name, departments, merged materials and
        the region of the most general unit among the items it covers."""
        return self._theme_entries.get(theme.id) or self._make_theme_entry(theme)

    def theme_items(self, theme: ThemeService) -> list[ServiceItem]:
        """The items a theme covers, those the catalogue holds."""
        return [self.items[c] for c in theme.item_codes if c in self.items]

    def theme_parts(self, theme: ThemeService) -> set[str]:
        """The services a theme covers, as `service_key`s (an implementation of a part is the part)."""
        return {item.service_key for item in self.theme_items(theme)}

    def _make_theme_entry(self, theme: ThemeService) -> ServiceItem:
        covered = self.theme_items(theme)
        home = min(covered, key=lambda i: LEVELS.index(i.level)) if covered else None
        return ServiceItem(
            code=theme.id,
            name=theme.name,
            type=THEME_TYPE,
            department="、".join(theme.departments) or (home.department if home else "多部门联办"),
            level=home.level if home else "省",
            region_code=home.region_code if home else self.gazetteer.province.code,
            region_name=home.region_name if home else self.gazetteer.province.name,
            targets=theme.targets,
            conditions="；".join(filter(None, [theme.description, *(i.name for i in covered)])),
            materials=theme.materials,
            visits=theme.after.trips if theme.after else None,
            online=any(i.online for i in covered),
        )

    def implementations(self, item: ServiceItem) -> list[ServiceItem]:
        """Every unit's implementation of the same service (实施清单), itself included: same
        basic item and same name, brackets aside (`ServiceItem.service_key`; a basic item may
        hold several services: 补领 and 换领)."""
        return [i for i in self._by_basic.get(item.basic_code or "", [item]) if i.service_key == item.service_key] or [item]

    def general_service(self, item: ServiceItem) -> list[ServiceItem]:
        """The implementations of the service a qualified item narrows, when one is: "技工学校的设立审批"
        for the province's "技工学校的设立审批(省属技工学校设立审批)" (same basic item, the name
        without its bracketed qualifier). Empty for an item with no qualifier."""
        general_name = re.sub(r"\s*[(（].*[)）]\s*$", "", item.name)
        if general_name == item.name:
            return []
        return [i for i in self._by_basic.get(item.basic_code or "", []) if i.name == general_name]


def load_catalogue(settings: Settings | None = None) -> Catalogue:
    settings = settings or get_settings()
    folder = settings.catalogue_dir
    items_path = folder / ITEM_FILES[settings.portal]
    if not items_path.exists():
        raise FileNotFoundError(f"catalogue file not found: {items_path}")
    importer = import_guangdong if settings.portal == "guangdong" else import_items
    result = importer(items_path)
    if result.errors:
        log.warning(result.summary(str(items_path)))
    sources = [items_path]
    policies: dict[str, Policy] = {}
    themes: dict[str, ThemeService] = {}
    if (folder / "policies.jsonl").exists():
        imported = import_policies(folder / "policies.jsonl")
        policies = {p.id: p for p in imported.records}
        sources.append(folder / "policies.jsonl")
    if (folder / "themes.jsonl").exists():
        imported = import_themes(folder / "themes.jsonl")
        themes = {t.id: t for t in imported.records}
        sources.append(folder / "themes.jsonl")
    return Catalogue(
        portal=settings.portal,
        items={item.code: item for item in result.records},
        gazetteer=load_gazetteer(settings.gazetteer_path),
        policies=policies,
        themes=themes,
        source_files=tuple(sources),
    )
