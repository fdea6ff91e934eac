"""Import catalogue rows: the product's own JSON/JSONL/CSV, and the Guangdong portal's export.

Bad rows never stop an import: each is reported with its row number and reason, the
rest still import.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

from pydantic import BaseModel, ValidationError

from catalogue.model import Policy, ServiceItem, ThemeService

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

LIST_SEPARATORS = re.compile(r"[;；|\n]")
# CSV cells that hold lists (the rest are scalars).
LIST_FIELDS = {"targets", "materials", "themes", "item_codes", "departments", "steps"}


@dataclass
class RowError:
    row: int  # 1-based line (JSONL/CSV data row) or array index + 1 (JSON)
    reason: str


@dataclass
class ImportResult(Generic[M]):
    records: list[M] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self, what: str) -> str:
        lines = [f"{what}: {len(self.records)} imported, {len(self.errors)} rejected"]
        lines += [f"  row {e.row}: {e.reason}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  … {len(self.errors) - 50} more")
        return "\n".join(lines)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
        )
    return str(exc)


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (row number, raw row) from a .jsonl, .json (array) or .csv file."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, exc
    elif suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: a .json catalogue must be an array of objects")
        yield from enumerate(data, 1)
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), 2):  # row 1 is the header
                yield number, _csv_row(row)
    else:
        raise ValueError(f"{path}: unsupported catalogue format {suffix!r} (use .jsonl, .json or .csv)")


def _csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key in LIST_FIELDS:
            out[key] = [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]
        elif key == "online":
            out[key] = value.strip().lower() in {"1", "true", "yes", "是", "y"}
        else:
            out[key] = value
    return out


def import_rows(
    rows: Iterable[tuple[int, Any]],
    model: type[M],
    mapping: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    key: Callable[[M], str] | None = None,
) -> ImportResult[M]:
    result: ImportResult[M] = ImportResult()
    seen: set[str] = set()
    for number, raw in rows:
        try:
            if isinstance(raw, Exception):
                raise ValueError(f"malformed JSON: {raw}")
            if not isinstance(raw, dict):
                raise ValueError(f"expected an object, got {type(raw).__name__}")
            record = model.model_validate(mapping(raw) if mapping else raw)
            if key is not None:
                record_key = key(record)
                if record_key in seen:
                    raise ValueError(f"duplicate code {record_key}")
                seen.add(record_key)
        except (ValueError, TypeError, KeyError) as exc:  # ValidationError is a ValueError
            result.errors.append(RowError(number, _reason(exc)))
            continue
        result.records.append(record)
    return result


def import_items(path: Path) -> ImportResult[ServiceItem]:
    """Items in the product's own model (.jsonl, .json or .csv)."""
    return import_rows(_rows(path), ServiceItem, key=lambda item: item.code)


def import_policies(path: Path) -> ImportResult[Policy]:
    return import_rows(_rows(path), Policy, key=lambda policy: policy.id)


def import_themes(path: Path) -> ImportResult[ThemeService]:
    return import_rows(_rows(path), ThemeService, key=lambda theme: theme.id)


def import_guangdong(path: Path) -> ImportResult[ServiceItem]:
    """The Guangdong portal's export (`gd_service_items.jsonl`), through `map_guangdong`."""
    from catalogue.guangdong import map_guangdong

    return import_rows(_rows(path), ServiceItem, mapping=map_guangdong, key=lambda item: item.code)
