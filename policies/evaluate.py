"""Measures: extracted portraits against gold ones, and matching against gold answers.

Both follow `../shared/data/policies/SCHEMA.md`: portraits are flattened into atomic
items (one per list member, one per scalar; `hukou: 不限` left out) and compared by
micro precision / recall / F1; matching compares the (profile, policy) pairs found
eligible, and those found unknown, with the gold ones, plus exact-set accuracy per profile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policies.matcher import PolicyTable, ProfileFrame, match
from policies.model import Conditions, PolicyRecord, Profile


def flatten(conditions: Conditions) -> set[tuple[str, object]]:
    items: set[tuple[str, object]] = set()
    for field, value in conditions.present().items():
        if field == "hukou" and value == "不限":
            continue
        if isinstance(value, list):
            items |= {(field, v) for v in value}
        else:
            items.add((field, float(value) if isinstance(value, (int, float)) else value))
    return items


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, found: set, gold: set) -> None:
        self.tp += len(found & gold)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def extraction_scores(pairs: list[tuple[Conditions, Conditions]]) -> tuple[Scores, dict[str, Scores]]:
    """(proposed, gold) portraits → micro scores overall and per condition field."""
    total, per_field = Scores(), {}
    for proposed, gold in pairs:
        found, wanted = flatten(proposed), flatten(gold)
        total.add(found, wanted)
        for field in {f for f, _ in found | wanted}:
            per_field.setdefault(field, Scores()).add(
                {i for i in found if i[0] == field}, {i for i in wanted if i[0] == field}
            )
    return total, per_field


@dataclass
class MatchScores:
    eligible: Scores
    unknown: Scores
    exact: float


def match_scores(
    policies: list[PolicyRecord], conditions: list[Conditions], profiles: list[dict]
) -> tuple[MatchScores, list[dict]]:
    """Match every profile record (its `profile` only) against `conditions`; score against
    the records' gold_eligible / gold_unknown. Returns the scores and the output lines."""
    table = PolicyTable.from_conditions([p.id for p in policies], conditions)
    frame = ProfileFrame.from_profiles(
        [Profile.model_validate(r["profile"]) for r in profiles],
        [dt.date.fromisoformat(r.get("as_of") or dt.date.today().isoformat()) for r in profiles],
    )
    result = match(table, frame)
    eligible, unknown, exact, lines = Scores(), Scores(), 0, []
    for j, record in enumerate(profiles):
        found_e = {table.ids[i] for i in range(len(table)) if result[i, j] == 0}
        found_u = {table.ids[i] for i in range(len(table)) if result[i, j] == 1}
        gold_e, gold_u = set(record.get("gold_eligible", [])), set(record.get("gold_unknown", []))
        eligible.add(found_e, gold_e)
        unknown.add(found_u, gold_u)
        exact += found_e == gold_e and found_u == gold_u
        lines.append({"profile_id": record.get("profile_id"), "eligible": sorted(found_e), "unknown": sorted(found_u)})
    return MatchScores(eligible, unknown, exact / len(profiles) if profiles else 0.0), lines
