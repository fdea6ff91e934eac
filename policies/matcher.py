"""Eligibility as array operations: every policy against every profile at once.

After OpenFisca's way of working: the conditions are data (a `PolicyTable`, one column
per condition over P policies), the profiles are data (a `ProfileFrame`, one column per
fact over N profiles), and each condition is a few NumPy operations broadcast to a
(P, N) array of statuses. The same code serves "a policy was published: whom does it
fit?" (P=1, N=1,000,000) and "which of the 1,000 policies fit me?" (P=1,000, N=1).

Statuses are ordered so that combining is min/max: MET < UNKNOWN < UNMET. A list
condition holds when any member holds (the minimum over members); a policy's result is
the worst of its conditions (the maximum): any unmet → not eligible, else any unknown
→ unknown, else eligible (SCHEMA.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Iterable, Sequence

import numpy as np

from policies.model import (
    CERTIFICATIONS,
    EDUCATION_RANK,
    EMPLOYMENT,
    FLAGS,
    HUKOU,
    INDUSTRIES,
    KINDS,
    SIZES,
    Conditions,
    Profile,
)

MET, UNKNOWN, UNMET = 0, 1, 2
STATUS_NAMES = ("met", "unknown", "unmet")
RESULT_NAMES = ("eligible", "unknown", "not_eligible")

# Condition fields in the vocabulary's order: the order reasons are given in.
CONDITION_FIELDS: tuple[str, ...] = tuple(Conditions.model_fields)


def _bits(values: Iterable[str] | None, vocabulary: Sequence[str]) -> int:
    return sum(1 << vocabulary.index(v) for v in values or ())


def _prefix_len(code: int) -> int:
    """Digits left of GB/T 2260 code after removing trailing 00 pairs: 370000 → 2."""
    if code % 10000 == 0:
        return 2
    return 4 if code % 100 == 0 else 6


# --------------------------------------------------------------------------- profiles
@dataclass
class ProfileFrame:
    """N profiles as columns. Missing facts: -1 for codes, NaN for numbers, a mask for lists."""

    kind: np.ndarray  # int8 index into KINDS
    region: np.ndarray  # int64 GB/T 2260 code, 0 when missing
    region_len: np.ndarray  # int8 prefix length 2/4/6, 0 when missing
    industry: np.ndarray  # int8 index into INDUSTRIES, -1
    size: np.ndarray  # int8 index into SIZES, -1
    established_years: np.ndarray  # float, completed years on the profile's as_of
    employees: np.ndarray
    revenue: np.ndarray
    rd_ratio: np.ndarray
    new_hires: np.ndarray
    hires_graduates: np.ndarray
    age: np.ndarray
    certifications: np.ndarray  # int32 bits over CERTIFICATIONS
    certifications_known: np.ndarray  # bool
    hukou: np.ndarray  # int8 index into HUKOU, -1
    education: np.ndarray  # int8 rank, -1
    employment: np.ndarray  # int32 bits over EMPLOYMENT
    employment_known: np.ndarray
    years_since_graduation: np.ndarray  # float: as_of year − graduated_year
    flags_true: np.ndarray  # int32 bits over FLAGS
    flags_missing: np.ndarray  # int32 bits over FLAGS

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def from_profiles(cls, profiles: Sequence[Profile], as_of: Sequence[dt.date] | dt.date) -> "ProfileFrame":
        n = len(profiles)
        dates = [as_of] * n if isinstance(as_of, dt.date) else list(as_of)

        def num(values: list) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

        def code(values: list, vocabulary: Sequence[str] | dict) -> np.ndarray:
            index = vocabulary if isinstance(vocabulary, dict) else {v: i for i, v in enumerate(vocabulary)}
            return np.array([-1 if v is None else index[v] for v in values], dtype=np.int8)

        regions = np.array([int(p.region) if p.region else 0 for p in profiles], dtype=np.int64)
        flag_values = [p.flags.model_dump() for p in profiles]
        return cls(
            kind=code([p.kind for p in profiles], KINDS),
            region=regions,
            region_len=np.array([_prefix_len(int(c)) if c else 0 for c in regions], dtype=np.int8),
            industry=code([p.industry for p in profiles], INDUSTRIES),
            size=code([p.size for p in profiles], SIZES),
            established_years=num([p.years_established(d) for p, d in zip(profiles, dates)]),
            employees=num([p.employees for p in profiles]),
            revenue=num([p.revenue for p in profiles]),
            rd_ratio=num([p.rd_ratio for p in profiles]),
            new_hires=num([p.new_hires for p in profiles]),
            hires_graduates=num([p.hires_graduates for p in profiles]),
            age=num([p.age for p in profiles]),
            certifications=np.array([_bits(p.certifications, CERTIFICATIONS) for p in profiles], dtype=np.int32),
            certifications_known=np.array([p.certifications is not None for p in profiles]),
            hukou=code([p.hukou for p in profiles], HUKOU),
            education=code([p.education for p in profiles], EDUCATION_RANK),
            employment=np.array([_bits(p.employment_status, EMPLOYMENT) for p in profiles], dtype=np.int32),
            employment_known=np.array([p.employment_status is not None for p in profiles]),
            years_since_graduation=num(
                [None if p.graduated_year is None else d.year - p.graduated_year for p, d in zip(profiles, dates)]
            ),
            flags_true=np.array([_bits([f for f, v in fl.items() if v is True], FLAGS) for fl in flag_values], dtype=np.int32),
            flags_missing=np.array([_bits([f for f, v in fl.items() if v is None], FLAGS) for fl in flag_values], dtype=np.int32),
        )

    def take(self, index: np.ndarray | slice) -> "ProfileFrame":
        return ProfileFrame(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


# --------------------------------------------------------------------------- policies
_NUMERIC = {  # condition → (profile column, "min" or "max")
    "established_years_min": ("established_years", "min"),
    "established_years_max": ("established_years", "max"),
    "employees_min": ("employees", "min"),
    "employees_max": ("employees", "max"),
    "revenue_min": ("revenue", "min"),
    "revenue_max": ("revenue", "max"),
    "rd_ratio_min": ("rd_ratio", "min"),
    "new_hires_min": ("new_hires", "min"),
    "hires_graduates_min": ("hires_graduates", "min"),
    "person_age_min": ("age", "min"),
    "person_age_max": ("age", "max"),
}
_BITSETS = {  # list condition → (vocabulary, profile column, its "known" mask or None)
    "applicant_kind": (KINDS, "kind", None),
    "industry": (INDUSTRIES, "industry", None),
    "enterprise_size": (SIZES, "size", None),
    "certifications_any": (CERTIFICATIONS, "certifications", "certifications_known"),
    "employment_status": (EMPLOYMENT, "employment", "employment_known"),
}
_HUKOU_ACCEPTS = {"本市": 0b001, "本省": 0b011, "不限": 0b111}  # bits over HUKOU


@dataclass
class PolicyTable:
    """P policies' conditions as columns; `present[field]` says which policies state it."""

    ids: list[str]
    present: dict[str, np.ndarray]  # field → bool (P,)
    values: dict[str, np.ndarray]  # field → (P,) parameters, or (P, R) region codes

    @classmethod
    def from_conditions(cls, ids: Sequence[str], conditions: Sequence[Conditions]) -> "PolicyTable":
        dumped = [c.present() for c in conditions]
        present = {f: np.array([f in d for d in dumped], dtype=bool) for f in CONDITION_FIELDS}
        values: dict[str, np.ndarray] = {}
        for f in _NUMERIC:
            values[f] = np.array([d.get(f, np.nan) for d in dumped], dtype=np.float64)
        for f, (vocabulary, _, _) in _BITSETS.items():
            values[f] = np.array([_bits(d.get(f), vocabulary) for d in dumped], dtype=np.int32)
        values["exclusions"] = np.array([_bits(d.get("exclusions"), FLAGS) for d in dumped], dtype=np.int32)
        values["hukou"] = np.array([_HUKOU_ACCEPTS.get(d.get("hukou", "不限")) for d in dumped], dtype=np.int32)
        values["education_min"] = np.array([EDUCATION_RANK.get(d.get("education_min"), -1) for d in dumped], dtype=np.int8)
        values["graduated_within_years"] = np.array([d.get("graduated_within_years", np.nan) for d in dumped])
        width = max([len(d.get("region", ())) for d in dumped] + [1])
        codes = np.zeros((len(dumped), width), dtype=np.int64)
        for i, d in enumerate(dumped):
            codes[i, : len(d.get("region", ()))] = [int(c) for c in d.get("region", ())]
        values["region"] = codes
        return cls(list(ids), present, values)

    def __len__(self) -> int:
        return len(self.ids)


# --------------------------------------------------------------------------- matching
def _status(met: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    return np.where(met, MET, np.where(unknown, UNKNOWN, UNMET)).astype(np.uint8)


def _region_status(codes: np.ndarray, frame: ProfileFrame) -> np.ndarray:
    """Min over a policy's region codes of: contains the profile's code (met), is inside
    the profile's coarser code (unknown), else unmet. Padding (code 0) is unmet."""
    p_code, p_len = frame.region[None, :], frame.region_len[None, :].astype(np.int64)
    known = p_len > 0
    best = np.full((codes.shape[0], len(frame)), UNMET, dtype=np.uint8)
    for r in range(codes.shape[1]):
        c = codes[:, r : r + 1]
        c_len = np.where(c % 10000 == 0, 2, np.where(c % 100 == 0, 4, 6))
        c_scale = 10 ** (6 - c_len)
        p_scale = 10 ** (6 - np.where(known, p_len, 6))
        inside = known & (p_len >= c_len) & (p_code // c_scale == c // c_scale)
        coarser = ~known | ((p_len < c_len) & (c // p_scale == p_code // p_scale))
        status = _status(inside, coarser)
        status[np.broadcast_to(c == 0, status.shape)] = UNMET
        np.minimum(best, status, out=best)
    return best


def condition_statuses(table: PolicyTable, frame: ProfileFrame) -> dict[str, np.ndarray]:
    """field → (P, N) uint8 status for each condition any policy states (MET where a
    policy does not state it)."""
    out: dict[str, np.ndarray] = {}
    for f in CONDITION_FIELDS:
        present = table.present[f]
        if not present.any():
            continue
        v = table.values[f]
        if f in _NUMERIC:
            column, side = _NUMERIC[f]
            x = getattr(frame, column)[None, :]
            bound = v[:, None]
            met = x >= bound if side == "min" else x <= bound
            status = _status(met, np.isnan(x))
        elif f in _BITSETS:
            _, column, known_column = _BITSETS[f]
            x = getattr(frame, column)[None, :]
            if known_column is None:  # one code per profile, -1 when missing
                known = x >= 0
                bit = np.where(known, np.left_shift(1, np.maximum(x, 0).astype(np.int32)), 0)
                status = _status((v[:, None] & bit) != 0, ~known)
            else:  # a set per profile
                status = _status((v[:, None] & x) != 0, ~getattr(frame, known_column)[None, :])
        elif f == "region":
            status = _region_status(v, frame)
        elif f == "hukou":
            x = frame.hukou[None, :]
            bit = np.left_shift(1, np.maximum(x, 0).astype(np.int32))
            accepts_all = (v == _HUKOU_ACCEPTS["不限"])[:, None]
            status = _status(accepts_all | ((x >= 0) & ((v[:, None] & bit) != 0)), x < 0)
        elif f == "education_min":
            x = frame.education[None, :]
            status = _status(x >= v[:, None], x < 0)
        elif f == "graduated_within_years":
            x = frame.years_since_graduation[None, :]
            status = _status((x >= 0) & (x <= v[:, None]), np.isnan(x))
        elif f == "exclusions":
            hit = (v[:, None] & frame.flags_true[None, :]) != 0
            unknown = (v[:, None] & frame.flags_missing[None, :]) != 0
            status = np.where(hit, UNMET, np.where(unknown, UNKNOWN, MET)).astype(np.uint8)
        else:  # a vocabulary field without a rule would silently pass: refuse instead
            raise NotImplementedError(f)
        status[~np.broadcast_to(present[:, None], status.shape)] = MET
        out[f] = status
    return out


def results(statuses: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """(P, N) result: 0 eligible, 1 unknown, 2 not eligible — the worst condition."""
    worst = np.zeros(shape, dtype=np.uint8)
    for status in statuses.values():
        np.maximum(worst, status, out=worst)
    return worst


def match(table: PolicyTable, frame: ProfileFrame) -> np.ndarray:
    return results(condition_statuses(table, frame), (len(table), len(frame)))


def match_in_chunks(table: PolicyTable, frame: ProfileFrame, chunk: int = 250_000) -> np.ndarray:
    """`match` for many profiles, a chunk at a time so memory stays bounded."""
    out = np.empty((len(table), len(frame)), dtype=np.uint8)
    for start in range(0, len(frame), chunk):
        part = frame.take(slice(start, start + chunk))
        out[:, start : start + len(part)] = match(table, part)
    return out
