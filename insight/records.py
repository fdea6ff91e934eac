"""Hotline records from JSON lines, CSV or XLSX: `id, time, title, text, likes?, dislikes?,
category?, place?`. A bad row is reported by file and line and skipped; the rest load."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from channels.privacy import mask_pii

FIELDS = ("id", "time", "title", "text", "likes", "dislikes", "category", "place")
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


@dataclass(frozen=True)
class Record:
    id: str
    time: datetime
    title: str
    text: str
    likes: int = 0
    dislikes: int = 0
    category: str = ""  # given by the source, else the classifier's
    place: str = ""  # given by the source (an address), else what the text names


def parse_time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    text = str(value or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return datetime.fromisoformat(text).replace(tzinfo=None)  # raises ValueError with the value


def _count(value: object) -> int:
    text = str(value if value is not None else "").strip()
    return int(float(text)) if text else 0


def to_record(row: dict) -> Record:
    """One row as a Record; ValueError says what is wrong. Personal numbers are masked here,
    before anything is stored or shown."""
    ident = str(row.get("id") or "").strip()
    if not ident:
        raise ValueError("no id")
    title, text = str(row.get("title") or "").strip(), str(row.get("text") or "").strip()
    if not title and not text:
        raise ValueError("no title or text")
    return Record(
        id=ident,
        time=parse_time(row.get("time")),
        title=mask_pii(title),
        text=mask_pii(text),
        likes=_count(row.get("likes")),
        dislikes=_count(row.get("dislikes")),
        category=str(row.get("category") or "").strip(),
        place=mask_pii(str(row.get("place") or "").strip()),
    )


def _rows(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except ValueError:
                    yield number, None
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield number, row
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        for number, values in enumerate(rows, start=2):
            yield number, dict(zip(header, values))
    else:
        raise ValueError(f"{path}: not .jsonl, .csv or .xlsx")


def read_records(path: Path) -> tuple[list[Record], list[str]]:
    """The file's records, and one error line per row that could not be read."""
    records: list[Record] = []
    errors: list[str] = []
    for number, row in _rows(path):
        if not isinstance(row, dict):
            errors.append(f"{path}:{number}: not a JSON object")
            continue
        try:
            records.append(to_record(row))
        except (ValueError, TypeError) as error:
            errors.append(f"{path}:{number}: {error}")
    return records, errors
