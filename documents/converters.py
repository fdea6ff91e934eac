"""Converters: one per format, each turning a file into `Document`s, with a per-file report.

- JSONL: one `{docid, title?, issuer?, doc_number?, date?, url?, status?, text}` a line.
- HTML (selectolax): a government page's title, `<meta>` fields (ArticleTitle, PubDate,
  ContentSource, the 文号 where sites put one) and its article body, without navigation.
- PDF (pypdf) and DOCX (python-docx): the text; title and the rest found in it.
- Text (.txt): the text; title and the rest found in it.
What a source does not state is looked for in the text (`documents.metadata`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from documents import metadata
from documents.model import Document

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 2**20
IGNORED = {".md"}  # notes beside the documents (a folder's README), not documents


@dataclass
class ImportReport:
    """What an import did, per file: documents read, and each problem with where it was."""

    imported: dict[str, int] = field(default_factory=dict)  # file -> documents
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file[:line], message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        lines = [f"{sum(self.imported.values())} documents from {len(self.imported)} files"]
        lines += [f"  {where}: {message}" for where, message in self.errors]
        return "\n".join(lines)


def complete(document: Document) -> Document:
    """Fill what the source did not give from the document's own text."""
    text = document.text
    document.title = document.title or metadata.find_title(text)
    document.issuer = document.issuer or metadata.find_issuer(text, document.title)
    document.doc_number = document.doc_number or metadata.find_doc_number(text)
    document.date = metadata.normalise_date(document.date) or metadata.find_date(text)
    if document.status == "in_force":
        document.status = metadata.find_status(document.title, text)
    return document


def _docid(path: Path) -> str:
    return path.stem


def _body(text: str) -> str:
    """Tidy extracted text: unify line ends, drop blank runs and page furniture."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line and not re.fullmatch(r"[-—－\s]*\d+[-—－\s]*|第\s*\d+\s*页.*", line)]
    return "\n".join(lines)


def _reflow(text: str) -> str:
    """Join a PDF's wrapped lines: a line goes on unless it ends a sentence or the next
    line starts a new structural element (第三条, 一、, （二）, 1.)."""
    from documents.splitter import MARKER

    out: list[str] = []
    for line in text.split("\n"):
        if out and not re.search(r"[。！？：；:;!?）)]$", out[-1]) and not MARKER.match(line) and len(out[-1]) >= 20:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


# ---- formats --------------------------------------------------------------------------


def from_jsonl(path: Path, report: ImportReport) -> list[Document]:
    out = []
    fields = ("title", "issuer", "doc_number", "date", "url")
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                report.errors.append((where, f"不是合法的 JSON：{exc.msg}"))
                continue
            if not isinstance(record, dict):
                report.errors.append((where, "每行应是一个 JSON 对象"))
                continue
            text, docid = record.get("text"), record.get("docid")
            if not isinstance(text, str) or not text.strip():
                report.errors.append((where, "缺少正文 text"))
                continue
            if not isinstance(docid, (str, int)) or not str(docid).strip():
                report.errors.append((where, "缺少 docid"))
                continue
            values = {k: str(record[k]).strip() for k in fields if isinstance(record.get(k), (str, int))}
            status = metadata.status_of(record.get("status")) or "in_force"
            out.append(complete(Document(str(docid).strip(), _body(text), status=status, source=where, **values)))
    return out


def from_html(path: Path, report: ImportReport) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(path.read_bytes().decode("utf-8", errors="replace"))

    def meta(*names: str) -> str:
        for name in names:
            node = tree.css_first(f'meta[name="{name}"]')
            if node and (node.attributes.get("content") or "").strip():
                return node.attributes["content"].strip()
        return ""

    for junk in tree.css("script, style, nav, header, footer, noscript, .nav, .footer, .breadcrumb"):
        junk.decompose()
    body_node = tree.css_first("article, .article, #zoom, .TRS_Editor, .content, main") or tree.body
    text = _body(body_node.text(separator="\n")) if body_node else ""
    if not text:
        report.errors.append((path.name, "页面中没有正文"))
        return []
    title_node = tree.css_first("h1") or tree.css_first("title")
    title = meta("ArticleTitle") or (title_node.text(strip=True) if title_node else "")
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("\n")
    url = meta("Url", "og:url") or (tree.css_first('link[rel="canonical"]').attributes.get("href", "") if tree.css_first('link[rel="canonical"]') else "")
    document = Document(
        _docid(path), text, title=title, issuer=meta("ContentSource", "Issuer"), doc_number=meta("DocNumber", "文号"),
        date=meta("PubDate", "pubdate"), url=url, status=metadata.status_of(meta("Status")) or "in_force", source=path.name,
    )
    return [complete(document)]


def from_pdf(path: Path, report: ImportReport) -> list[Document]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = _reflow(_body("\n".join(page.extract_text() or "" for page in reader.pages)))
    if not text:
        report.errors.append((path.name, "PDF 中没有可提取的文字（可能是扫描件）"))
        return []
    info = reader.metadata or {}
    title = str(info.get("/Title") or "").strip()
    return [complete(Document(_docid(path), text, title=title, issuer=str(info.get("/Author") or "").strip(), source=path.name))]


def from_docx(path: Path, report: ImportReport) -> list[Document]:
    import docx

    word = docx.Document(str(path))
    paragraphs = [p.text for p in word.paragraphs]
    for table in word.tables:  # tables hold real content in notices (lists of measures, contacts)
        for row in table.rows:
            paragraphs.append(" ".join(cell.text.strip() for cell in row.cells))
    text = _body("\n".join(paragraphs))
    if not text:
        report.errors.append((path.name, "文档中没有文字"))
        return []
    props = word.core_properties
    return [complete(Document(_docid(path), text, title=(props.title or "").strip(), issuer=(props.author or "").strip(), source=path.name))]


def from_text(path: Path, report: ImportReport) -> list[Document]:
    text = _body(path.read_bytes().decode("utf-8", errors="replace"))
    if not text:
        report.errors.append((path.name, "文件是空的"))
        return []
    return [complete(Document(_docid(path), text, source=path.name))]


CONVERTERS: dict[str, Callable[[Path, ImportReport], list[Document]]] = {
    ".jsonl": from_jsonl,
    ".html": from_html,
    ".htm": from_html,
    ".pdf": from_pdf,
    ".docx": from_docx,
    ".txt": from_text,
}


def convert(paths: Iterable[Path]) -> tuple[list[Document], ImportReport]:
    """Every document of `paths` (files or folders); a bad file is reported, never fatal."""
    report = ImportReport()
    documents: list[Document] = []
    files: list[Path] = []
    for path in paths:  # a folder's own files; its subfolders (e.g. authored sources) are not read
        files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() else [path])
    files = [f for f in files if f.suffix.lower() not in IGNORED]
    for path in files:
        converter = CONVERTERS.get(path.suffix.lower())
        if converter is None:
            report.errors.append((path.name, f"不支持的文件类型 {path.suffix or '(无扩展名)'}：支持 {', '.join(CONVERTERS)}"))
            continue
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(f"文件超过 {MAX_FILE_BYTES // 2**20} MB")
            found = converter(path, report)
        except Exception as exc:  # a broken file must not stop the others
            log.warning("cannot import %s: %s", path, exc)
            report.errors.append((path.name, f"无法读取：{type(exc).__name__}: {exc}"[:300]))
            continue
        report.imported[path.name] = len(found)
        documents.extend(found)
    return documents, report


def content_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
