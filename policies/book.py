"""The policies a deployment offers, and what they mean for one applicant.

`PolicyBook` holds the records and their compiled `PolicyTable`; it answers "which
policies fit this profile, and why" (with a reason per condition), "which missing fact
would decide the most policies" (the question to ask next), and "whom does this policy
fit" over many profiles. An expired or not-yet-valid policy is never offered as current.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from catalogue.gazetteer import load_gazetteer
from catalogue.model import Policy, PolicySubjects
from policies.explain import fact_of, reason
from policies.importer import import_policies
from policies.matcher import CONDITION_FIELDS, MET, PolicyTable, ProfileFrame, condition_statuses, results
from policies.model import PolicyRecord, Profile
from settings import Settings, get_settings

log = logging.getLogger(__name__)
RESULT = {0: "eligible", 1: "unknown", 2: "not_eligible"}


@dataclass
class ConditionResult:
    condition: str
    status: str  # met / unknown / unmet
    reason: str


@dataclass
class PolicyMatch:
    policy: PolicyRecord
    result: str  # eligible / unknown / not_eligible
    conditions: list[ConditionResult] = field(default_factory=list)

    @property
    def unmet(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.status == "unmet"]

    @property
    def missing(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.status == "unknown"]

    def as_dict(self) -> dict:
        p = self.policy
        return {
            "id": p.id, "title": p.title, "issuer": p.issuer, "doc_number": p.doc_number,
            "benefit": p.benefit, "application_mode": p.application_mode, "source_url": p.source_url,
            "valid_until": p.valid_until.isoformat() if p.valid_until else None, "sample": p.sample,
            "result": self.result,
            "conditions": [{"condition": c.condition, "status": c.status, "reason": c.reason} for c in self.conditions],
        }


class PolicyBook:
    def __init__(self, policies: Sequence[PolicyRecord], settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.policies = list(policies)
        self.by_id = {p.id: p for p in self.policies}
        self.table = PolicyTable.from_conditions([p.id for p in self.policies], [p.conditions for p in self.policies])
        self._gazetteer = load_gazetteer(self.settings.gazetteer_path) if self.settings.gazetteer_path.exists() else None

    def region_name(self, code: str) -> str:
        region = self._gazetteer.get(code) if self._gazetteer else None
        return region.name if region else code

    def current_mask(self, on: dt.date) -> np.ndarray:
        return np.array([p.in_force(on) for p in self.policies], dtype=bool)

    def current(self, on: dt.date | None = None) -> list[PolicyRecord]:
        on = on or dt.date.today()
        return [p for p in self.policies if p.in_force(on)]

    def match(self, profile: Profile, as_of: dt.date | None = None, explain: bool = True) -> list[PolicyMatch]:
        """Every policy in force on `as_of` against one profile, eligible first."""
        as_of = as_of or dt.date.today()
        frame = ProfileFrame.from_profiles([profile], as_of)
        statuses = condition_statuses(self.table, frame)
        result = results(statuses, (len(self.table), 1))[:, 0]
        current = self.current_mask(as_of)
        out = []
        for i in np.argsort(result, kind="stable"):
            if not current[i]:
                continue
            policy = self.policies[i]
            conditions = []
            if explain:
                for f in CONDITION_FIELDS:
                    if f in statuses and self.table.present[f][i]:
                        s = int(statuses[f][i, 0])
                        conditions.append(ConditionResult(
                            f, ("met", "unknown", "unmet")[s],
                            reason(f, s, policy.conditions, profile, as_of, self.region_name)))
            out.append(PolicyMatch(policy, RESULT[int(result[i])], conditions))
        return out

    def deciding_facts(self, matches: Sequence[PolicyMatch]) -> list[tuple[str, int]]:
        """Missing facts ordered by how many still-open (unknown) policies they decide."""
        counts: Counter[str] = Counter()
        for m in matches:
            if m.result == "unknown":
                counts.update({fact_of(c.condition) for c in m.missing})
        return counts.most_common()

    def audience(self, policy_id: str, frame: ProfileFrame) -> np.ndarray:
        """Indexes of the profiles in `frame` eligible for one policy (precise push)."""
        i = self.table.ids.index(policy_id)
        one = PolicyTable(
            [policy_id], {f: v[i : i + 1] for f, v in self.table.present.items()},
            {f: v[i : i + 1] for f, v in self.table.values.items()},
        )
        statuses = condition_statuses(one, frame)
        return np.flatnonzero(results(statuses, (1, len(frame)))[0] == MET)


def searchable(record: PolicyRecord) -> Policy:
    """A portrait as the policy text search reads a policy (retrieval/policies.py), so a
    plain "小微企业贷款有什么贴息" finds the central kitchen's policies beside the catalogue's."""
    c, start = record.conditions, record.valid_from or record.issued
    return Policy(
        id=record.id, title=record.title, issuer=record.issuer, doc_number=record.doc_number,
        date=record.issued.isoformat() if record.issued else None,
        subjects=PolicySubjects(target=list(c.applicant_kind or []), sizes=list(c.enterprise_size or []),
                                regions=list(c.region or [])),
        benefits=f"【{record.application_mode}】{record.benefit}" if record.application_mode == "免申即享" else record.benefit,
        conditions=record.text, url=record.source_url,
        valid_from=start.isoformat() if start else None,
        valid_to=record.valid_until.isoformat() if record.valid_until else None,
    )


def searchable_policies(
    catalogue_policies: Sequence[Policy], settings: Settings | None = None, published: Sequence[PolicyRecord] = ()
) -> list[Policy]:
    """What a plain policy search looks through — the chat's and the 12345 console's: the
    catalogue's list and the central kitchen's records, with those staff `published`
    through the portal (same id wins; the search keeps to those in force)."""
    records = {r.id: r for r in load_book(policy_file(settings)).policies}
    for record in published:  # the portal lists records without their text: keep the file's
        known = records.get(record.id)
        records[record.id] = record.model_copy(update={"text": known.text}) if known and not record.text else record
    return list(catalogue_policies) + [searchable(r) for r in records.values()]


def policy_file(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.data_dir / "policies" / f"{settings.portal}.yml"


@lru_cache(maxsize=2)
def load_book(path: Path | None = None) -> PolicyBook:
    """The deployment's policies (data/policies/<portal>.yml); none when the file is absent."""
    path = path or policy_file()
    if not path.exists():
        return PolicyBook([])
    imported = import_policies(path)
    if imported.errors:
        log.warning(imported.summary(str(path)))
    return PolicyBook(imported.records)

