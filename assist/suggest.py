"""What the console shows for a caller's words: category, department, items and policies
with the facts to read out (each citing its item code and source), and a draft reply.

The caller's words are masked (ID, phone, credit code) before anything here sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assist.classifier import HotlineClassifier, category_of_department
from catalogue.model import Policy, ServiceItem
from catalogue.store import Catalogue
from documents.answer import answer as document_answer
from documents.answer import card as document_card
from documents.index import DocumentIndex
from retrieval.fields import Field, citation, detect_field, field_value
from retrieval.policies import PolicySearcher
from retrieval.search import Filters, Searcher

ITEMS, POLICIES, CATEGORIES, DOCUMENTS = 3, 2, 3, 2
FACTS: tuple[str, ...] = ("department", "materials", "time_limit", "visits", "online", "location", "phone", "fee")
SEARCH_CHARS = 128  # the opening of a long complaint says what it is about (and e5 costs ~0.4 ms a character)
# "电话138****5678" gives the caller's own number: not a question about an item's phone.
OWN_NUMBER = re.compile(r"(电话|手机号?|号码|身份证号?|联系方式)[码是为:：\s]*[0-9A-Z*+]{6,}", re.IGNORECASE)
ISSUER_SPLIT = re.compile(r"[\s、,，]+")


@dataclass(frozen=True)
class ReplyTemplate:
    opening: str
    item: str
    item_facts: tuple[str, ...]
    asked_field: str
    policy: str
    closing: str
    no_match: str
    labels: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> ReplyTemplate:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(**{**data, "item_facts": tuple(data["item_facts"])})


def suggested_department(classifier: HotlineClassifier, category: str, items: list[ServiceItem]) -> dict[str, str]:
    """An item's own department when it belongs to the category, else the category's usual
    one (the console's suggestion, and the department a work order from the chat goes to)."""
    for item in items:
        if category_of_department(classifier.rules, item.department, item.name) == category:
            return {"name": item.department, "source": f"事项“{item.name}”的办理部门"}
    return {"name": classifier.categories[category].department, "source": f"“{category}”类工单的常见承办部门"}


class Assistant:
    def __init__(
        self, classifier: HotlineClassifier, searcher: Searcher, catalogue: Catalogue, policies: PolicySearcher,
        template: ReplyTemplate, documents: DocumentIndex | None = None,
    ) -> None:
        self.documents = documents  # 政务公开 documents: passages shown beside items and policies
        self.classifier = classifier
        self.searcher = searcher
        self.catalogue = catalogue
        self.policies = policies
        self.template = template

    def fact(self, item: ServiceItem, field: str) -> tuple[str, str]:
        """(label, value) of one fact of `item`, the value without a label of its own."""
        label = self.template.labels[field]
        value = item.department if field == "department" else field_value(item, field)  # type: ignore[arg-type]
        return label, value.removeprefix(f"{label}：")

    def facts(self, item: ServiceItem, asked: Field | None) -> list[dict[str, str]]:
        fields: list[str] = [asked] if asked else []
        fields += [f for f in FACTS if f != asked]
        return [{"field": f, "label": label, "text": value} for f in fields for label, value in [self.fact(item, f)]]

    def item_card(self, item: ServiceItem, score: float, asked: Field | None) -> dict[str, Any]:
        return {
            "code": item.code,
            "name": item.name,
            "department": item.department,
            "region": item.region_name,
            "score": score,
            "url": item.source_url or item.online_url,
            "citation": citation(item).strip("（）"),
            "facts": self.facts(item, asked),
        }

    @staticmethod
    def policy_card(policy: Policy, score: float) -> dict[str, Any]:
        number = f"，{policy.doc_number}" if policy.doc_number else ""
        cited = f"{policy.issuer}{number}，{policy.date or '日期未载明'}" + (f"，来源 {policy.url}" if policy.url else "")
        return {
            "id": policy.id,
            "title": policy.title,
            "issuer": policy.issuer,
            "score": score,
            "url": policy.url,
            "valid_to": policy.valid_to,
            "citation": cited,
            "facts": [
                {"field": "benefits", "label": "支持内容", "text": policy.benefits},
                {"field": "conditions", "label": "申请条件", "text": policy.conditions or "政策未载明"},
            ],
        }

    def policy_fits(self, policy: Policy, category: str) -> bool:
        """A policy one of whose issuers handles the category (a shared word alone is not enough)."""
        issuers = [i for i in ISSUER_SPLIT.split(policy.issuer) if i]
        return any(category_of_department(self.classifier.rules, issuer, policy.title) == category for issuer in issuers)

    def department(self, category: str, items: list[ServiceItem]) -> dict[str, str]:
        return suggested_department(self.classifier, category, items)

    def draft(self, category: str, department: str, items: list[ServiceItem], policies: list[Policy], asked: Field | None) -> str:
        t = self.template
        parts = [t.opening.format(category=category, department=department)]
        if items:
            item = items[0]
            if asked:
                label, value = self.fact(item, asked)
                parts.append(t.asked_field.format(label=label, value=value))
            facts = "，".join("：".join(self.fact(item, f)) for f in t.item_facts if f != asked)
            parts.append(t.item.format(name=item.name, facts=facts, citation=citation(item)))
        else:
            parts.append(t.no_match)
        if policies:
            p = policies[0]
            parts.append(t.policy.format(title=p.title, issuer=p.issuer, benefits=p.benefits))
        parts.append(t.closing)
        return "".join(parts)

    def document_cards(self, query: str) -> list[dict[str, Any]]:
        """Passages of government documents that answer the caller's words, with the
        answering sentence and the citation to read out (lexical only: the console's time)."""
        if self.documents is None:
            return []
        result = document_answer(self.documents, query, k=DOCUMENTS, dense=False)
        if not result.found:
            return []
        return [document_card(result.best, result.sentence)] + [document_card(h) for h in result.hits[1:]]

    def assist(self, masked_text: str) -> dict[str, Any]:
        ranked = self.classifier.rank(masked_text, CATEGORIES)
        category = ranked[0][0]
        query = masked_text[:SEARCH_CHARS]
        region = self.catalogue.gazetteer.resolve(query)
        result = self.searcher.search(query, Filters(region_code=region.code if region else None), k=ITEMS)
        asked = detect_field(OWN_NUMBER.sub(" ", query))
        hits = result.hits[:ITEMS] if (result.confident or result.suggestible) else []
        regions = set(self.catalogue.gazetteer.chain_codes(region.code)) if region else None
        policy_hits = [h for h in self.policies.search(query, regions, k=POLICIES * 3) if self.policy_fits(h.policy, category)][:POLICIES]
        items = [hit.item for hit in hits]
        department = self.department(category, items)
        return {
            "category": {"name": category, "probability": ranked[0][1], "department": self.classifier.categories[category].department},
            "categories": [{"name": n, "probability": p} for n, p in ranked],
            "department": department,
            "region": region.name if region else None,
            "asked_field": asked,
            "items_confident": result.confident,
            "items": [self.item_card(hit.item, hit.score, asked) for hit in hits],
            "policies": [self.policy_card(hit.policy, hit.score) for hit in policy_hits],
            "documents": self.document_cards(query),
            "reply": self.draft(category, department["name"], items, [h.policy for h in policy_hits], asked),
        }
