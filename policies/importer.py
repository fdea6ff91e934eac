"""Import policy records from JSONL or YAML: bad rows are reported, the rest import.

Rows use the record of `policies.model.PolicyRecord`; the dev files of
`../shared/data/policies/` (`issued`, `valid_until`, `conditions` …) import as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import yaml

from catalogue.importers import ImportResult, import_rows
from policies.model import PolicyRecord


def _jsonl_rows(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, exc


def _yaml_rows(text: str) -> Iterator[tuple[int, Any]]:
    """Each record of a YAML list (or of its `policies:` list), numbered by its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        yield getattr(getattr(exc, "problem_mark", None), "line", 0) + 1, ValueError(f"YAML 格式错误: {exc}")
        return
    if isinstance(data, dict) and isinstance(data.get("policies"), list):
        node = next(v for k, v in node.value if k.value == "policies")
        data = data["policies"]
    if not isinstance(data, list):
        yield 1, ValueError("YAML 文件应为政策列表（或含 policies: 列表）")
        return
    for item, raw in zip(node.value, data):
        yield item.start_mark.line + 1, raw


def parse_rows(text: str, suffix: str) -> Iterator[tuple[int, Any]]:
    if suffix in (".yml", ".yaml"):
        return _yaml_rows(text)
    if suffix in (".jsonl", ".json"):
        stripped = text.lstrip()
        if suffix == ".json" and stripped.startswith("["):
            return iter(enumerate(json.loads(stripped), 1))
        return _jsonl_rows(text)
    raise ValueError(f"不支持的政策文件格式 {suffix!r}（请用 .jsonl 或 .yaml）")


def import_policy_rows(rows: Iterator[tuple[int, Any]]) -> ImportResult[PolicyRecord]:
    """Validate rows (exceptions stand for unreadable rows); one id may appear once."""
    return import_rows(rows, PolicyRecord, key=lambda p: p.id)


def import_policies(path: Path) -> ImportResult[PolicyRecord]:
    return import_policy_rows(parse_rows(path.read_text(encoding="utf-8"), path.suffix.lower()))
