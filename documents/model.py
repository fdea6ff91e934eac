"""A government document and its passages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["in_force", "repealed"]  # repealed: 废止 or 失效


@dataclass
class Document:
    docid: str
    text: str  # the body, paragraphs separated by "\n"
    title: str = ""
    issuer: str = ""
    doc_number: str = ""  # 文号, e.g. 鲁政办发〔2026〕3号
    date: str = ""  # ISO yyyy-mm-dd when known
    url: str = ""
    status: Status = "in_force"
    source: str = ""  # the file it came from

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Passage:
    docid: str
    index: int  # order in the document
    text: str
    heading_path: list[str] = field(default_factory=list)  # e.g. ["第二章 补贴标准", "第五条"]
    place: str = ""  # where it is, for a citation: "第五条", "二、（三）"
    # Where each structural element inside it starts: [offset in text, place], so a
    # sentence can be cited by its own article or item, not only the passage's first.
    anchors: list[list] = field(default_factory=list)

    def place_at(self, offset: int) -> str:
        place = self.place.split("至")[0]
        for start, anchor in self.anchors:
            if start <= offset and anchor:
                place = anchor
        return place

    def to_json(self) -> dict:
        return asdict(self)
