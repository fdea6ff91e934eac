"""Policy records, their portraits (eligibility conditions) and applicant profiles.

The condition vocabulary and its meaning are those of
`../shared/data/policies/SCHEMA.md` (copied in data/policies/SCHEMA.md): every present
condition must hold, a list condition needs one member, bounds are inclusive.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["企业", "个人", "个体工商户", "社会组织"]
Size = Literal["大型", "中型", "小型", "微型"]
Certification = Literal["高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "瞪羚企业", "省级企业技术中心"]
Education = Literal["初中", "高中", "中专", "大专", "本科", "硕士", "博士"]
Employment = Literal["失业登记", "灵活就业", "在职", "自主创业", "退役军人"]
Flag = Literal["严重失信", "近三年重大安全事故", "欠缴税款"]
RegionCode = Field(pattern=r"^[1-8][0-9]{5}$")

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
SIZES: tuple[str, ...] = Size.__args__  # type: ignore[attr-defined]
CERTIFICATIONS: tuple[str, ...] = Certification.__args__  # type: ignore[attr-defined]
EMPLOYMENT: tuple[str, ...] = Employment.__args__  # type: ignore[attr-defined]
FLAGS: tuple[str, ...] = Flag.__args__  # type: ignore[attr-defined]
INDUSTRIES = "ABCDEFGHIJKLMNOPQRST"  # GB/T 4754-2017 门类
EDUCATION_RANK = {"初中": 0, "高中": 1, "中专": 1, "大专": 2, "本科": 3, "硕士": 4, "博士": 5}
HUKOU = ("本市", "本省其他市", "省外")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Conditions(_Model):
    """A policy's machine-checkable portrait (政策画像)."""

    applicant_kind: Optional[list[Kind]] = Field(default=None, min_length=1)
    region: Optional[list[str]] = Field(default=None, min_length=1)
    industry: Optional[list[str]] = Field(default=None, min_length=1)
    enterprise_size: Optional[list[Size]] = Field(default=None, min_length=1)
    established_years_min: Optional[int] = Field(default=None, ge=0)
    established_years_max: Optional[int] = Field(default=None, ge=0)
    employees_min: Optional[int] = Field(default=None, ge=0)
    employees_max: Optional[int] = Field(default=None, ge=0)
    revenue_min: Optional[float] = Field(default=None, ge=0)
    revenue_max: Optional[float] = Field(default=None, ge=0)
    rd_ratio_min: Optional[float] = Field(default=None, ge=0, le=100)
    certifications_any: Optional[list[Certification]] = Field(default=None, min_length=1)
    new_hires_min: Optional[int] = Field(default=None, ge=0)
    hires_graduates_min: Optional[int] = Field(default=None, ge=0)
    person_age_min: Optional[int] = Field(default=None, ge=0)
    person_age_max: Optional[int] = Field(default=None, ge=0)
    hukou: Optional[Literal["本市", "本省", "不限"]] = None
    education_min: Optional[Literal["大专", "本科", "硕士", "博士"]] = None
    employment_status: Optional[list[Employment]] = Field(default=None, min_length=1)
    graduated_within_years: Optional[int] = Field(default=None, ge=0)
    exclusions: Optional[list[Flag]] = Field(default=None, min_length=1)

    @field_validator("region")
    @classmethod
    def _region_codes(cls, codes: list[str] | None) -> list[str] | None:
        for code in codes or []:
            if len(code) != 6 or not code.isdigit() or code[0] in "09":
                raise ValueError(f"地区代码应为6位GB/T 2260代码，收到 {code!r}")
        return codes

    @field_validator("industry")
    @classmethod
    def _industry_letters(cls, letters: list[str] | None) -> list[str] | None:
        for letter in letters or []:
            if len(letter) != 1 or letter not in INDUSTRIES:
                raise ValueError(f"行业应为GB/T 4754门类字母A-T，收到 {letter!r}")
        return letters

    @model_validator(mode="after")
    def _bounds_in_order(self) -> "Conditions":
        for low, high in [
            ("established_years_min", "established_years_max"),
            ("employees_min", "employees_max"),
            ("revenue_min", "revenue_max"),
            ("person_age_min", "person_age_max"),
        ]:
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{low} ({a}) 大于 {high} ({b})")
        return self

    def present(self) -> dict:
        """The conditions this policy states, in the vocabulary's order."""
        return self.model_dump(exclude_none=True)


class PolicyRecord(_Model):
    """One policy of the central kitchen: facts to cite, benefit, and its portrait."""

    id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=2)
    issuer: str = Field(min_length=2)
    doc_number: Optional[str] = None  # 文号
    issued: Optional[dt.date] = None
    valid_from: Optional[dt.date] = None
    valid_until: Optional[dt.date] = None
    benefit: str = ""
    benefit_kind: Optional[str] = None  # 补贴 / 奖励 / 贴息 / 贷款 / 返还 …
    benefit_amount: Optional[str] = None  # "最高200万元"
    application_mode: Literal["免申即享", "依申请"] = "依申请"
    source_url: Optional[str] = None
    level: Optional[Literal["省", "市", "县"]] = None
    sample: bool = False
    text: str = ""
    conditions: Conditions = Field(default_factory=Conditions)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "PolicyRecord":
        start = self.valid_from or self.issued
        if start and self.valid_until and self.valid_until < start:
            raise ValueError(f"有效期止 {self.valid_until} 早于起始日 {start}")
        return self

    def in_force(self, on: dt.date) -> bool:
        """Whether the policy applies on `on`: issued/started and not yet expired."""
        start = self.valid_from or self.issued
        if start and on < start:
            return False
        return not (self.valid_until and on > self.valid_until)

    def citation(self) -> str:
        parts = [self.issuer]
        if self.doc_number:
            parts.append(self.doc_number)
        if self.source_url:
            parts.append(self.source_url)
        return "，".join(parts)


class Flags(_Model):
    严重失信: Optional[bool] = None
    近三年重大安全事故: Optional[bool] = None
    欠缴税款: Optional[bool] = None


class Profile(_Model):
    """One 一企一档 / 一人一档 record; an absent or null field is missing (unknown)."""

    name: Optional[str] = None
    kind: Kind
    region: Optional[str] = Field(default=None, pattern=r"^[1-8][0-9]{5}$")
    industry: Optional[str] = Field(default=None, pattern=r"^[A-T]$")
    size: Optional[Size] = None
    established_date: Optional[dt.date] = None
    established_years: Optional[int] = Field(default=None, ge=0)
    employees: Optional[int] = Field(default=None, ge=0)
    revenue: Optional[float] = Field(default=None, ge=0)
    rd_ratio: Optional[float] = Field(default=None, ge=0, le=100)
    certifications: Optional[list[Certification]] = None
    new_hires: Optional[int] = Field(default=None, ge=0)
    hires_graduates: Optional[int] = Field(default=None, ge=0)
    age: Optional[int] = Field(default=None, ge=0, le=150)
    hukou: Optional[Literal["本市", "本省其他市", "省外"]] = None
    education: Optional[Education] = None
    employment_status: Optional[list[Employment]] = None
    graduated_year: Optional[int] = Field(default=None, ge=1950, le=2100)
    flags: Flags = Field(default_factory=Flags)

    def years_established(self, as_of: dt.date) -> int | None:
        """Completed years since registration on `as_of` (the anniversary counts)."""
        if self.established_date is not None:
            d = self.established_date
            return as_of.year - d.year - ((as_of.month, as_of.day) < (d.month, d.day))
        return self.established_years
