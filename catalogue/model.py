"""The product's catalogue model, after the national service catalogue (国家政务服务事项目录).

A basic item (基本目录, `basic_code`) is implemented by many units (实施清单): each
implementation is one `ServiceItem` with its own `code`, department and region.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

Level = Literal["省", "市", "县", "乡", "村"]
LEVELS: tuple[str, ...] = ("省", "市", "县", "乡", "村")

TARGETS = ("自然人", "企业法人", "事业法人", "社会组织法人", "非法人企业", "行政机关", "其他组织")
LEGAL_PERSONS = frozenset(TARGETS[1:])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ServiceItem(_Model):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    basic_code: Optional[str] = None
    basic_name: Optional[str] = None
    type: str = "公共服务"
    department: str = Field(min_length=1)
    level: Level
    region_code: str = Field(pattern=r"^\d{6}(\d{3}(\d{3})?)?$")
    region_name: str
    targets: list[str] = Field(default_factory=list)
    conditions: Optional[str] = None
    materials: list[str] = Field(default_factory=list)
    statutory_limit: Optional[str] = None
    promised_limit: Optional[str] = None
    fee: Optional[str] = None
    visits: Optional[int] = Field(default=None, ge=0, le=10)
    online: bool = False
    online_url: Optional[str] = None
    location: Optional[str] = None
    hours: Optional[str] = None
    phone: Optional[str] = None
    complaint_phone: Optional[str] = None
    legal_basis: Optional[str] = None
    themes: list[str] = Field(default_factory=list)
    source_url: Optional[str] = None

    @field_validator("targets")
    @classmethod
    def _known_targets(cls, targets: list[str]) -> list[str]:
        unknown = [t for t in targets if t not in TARGETS]
        if unknown:
            raise ValueError(f"unknown target(s) {unknown}; expected some of {TARGETS}")
        return targets

    @property
    def service_key(self) -> tuple[str, str]:
        """The service this item implements: its basic item and its name, brackets and spaces
        aside — one unit's list writes "律师执业变更审核(（执业类别变更）)" for the province's
        "律师执业变更审核(执业类别变更)"."""
        return self.basic_code or self.code, re.sub(r"[()\s]", "", unicodedata.normalize("NFKC", self.name))

    @property
    def for_citizens(self) -> bool:
        return not self.targets or "自然人" in self.targets

    @property
    def for_enterprises(self) -> bool:
        return not self.targets or bool(LEGAL_PERSONS.intersection(self.targets))


class PolicySubjects(_Model):
    target: list[str] = Field(default_factory=list)
    enterprise_types: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)


class Policy(_Model):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    issuer: str
    doc_number: Optional[str] = None  # 文号
    date: Optional[str] = None
    subjects: PolicySubjects = Field(default_factory=PolicySubjects)
    benefits: str = ""
    conditions: str = ""
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    url: Optional[str] = None
    item_codes: list[str] = Field(default_factory=list)


class Burden(_Model):
    """What applying costs a citizen: the numbers a theme service ("一链办") cuts."""

    departments: int = Field(ge=0)
    trips: int = Field(ge=0)
    materials: int = Field(ge=0)
    fields: int = Field(ge=0)


class ThemeService(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = ""
    targets: list[str] = Field(default_factory=list)
    item_codes: list[str] = Field(min_length=1)
    departments: list[str] = Field(default_factory=list)
    before: Optional[Burden] = None
    after: Optional[Burden] = None
    materials: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
