"""The answer to a document question: the best passage, the sentence in it that answers,
and where it comes from (title, issuer, 文号, date, link, "第三条"). No generated text:
every word shown is the document's own, and when nothing answers, we say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from documents.copies import same_text
from documents.index import DocumentIndex, PassageHit
from documents.model import Document, Passage
from retrieval.text import normalise

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
# A passage "answers" when it holds at least this share of the question's word weight
# (IDF-weighted, title and headings included): below it the best hit is only on topic.
# At 0.35, 99% of the policy_docs dev questions get an answer.
MIN_COVERAGE = 0.35
NOT_FOUND = "没有在已公开的政府文件中找到能回答这个问题的内容。可以换个说法，或拨打12345政务服务便民热线咨询。"


@dataclass
class DocumentAnswer:
    question: str
    hits: list[PassageHit] = field(default_factory=list)  # best first; empty when not found
    sentence: str = ""  # the sentence of the best passage that answers
    copies: list[Document] = field(default_factory=list)  # the best document published again

    @property
    def found(self) -> bool:
        return bool(self.hits)

    @property
    def best(self) -> PassageHit | None:
        return self.hits[0] if self.hits else None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def answering_sentence(index: DocumentIndex, question: str, passage: Passage) -> str:
    """The sentence of `passage` sharing most of the question's word weight; a heading-like
    sentence (short, no full stop) brings the next one with it."""
    weights = index.idf(index.lexicon.tokens(normalise(question)))
    candidates = sentences(passage.text)
    if not candidates:
        return passage.text
    def gain(sentence: str) -> float:
        words = set(index.lexicon.search_tokens(sentence))
        return sum(w for t, w in weights.items() if t in words)
    best = max(range(len(candidates)), key=lambda i: (gain(candidates[i]), -i))
    sentence = candidates[best]
    # A question (a Q&A heading) is not its own answer; a heading brings what follows it.
    if sentence.endswith(("？", "?")) and best + 1 < len(candidates):
        sentence = candidates[best + 1]
    elif len(sentence) < 30 and not sentence.endswith(("。", "！", "？")) and best + 1 < len(candidates):
        sentence = sentence + candidates[best + 1]
    return sentence


# An in-force document answering nearly as well as a repealed one is shown first.
IN_FORCE_MARGIN = 0.85
# Passages searched beyond those shown, so that copies of a document left out leave room.
COPIES_LOOKED_PAST = 3


def answer(index: DocumentIndex, question: str, k: int = 3, dense: bool = True) -> DocumentAnswer:
    hits = index.search(question, k=k + COPIES_LOOKED_PAST, dense=dense)
    if not hits:
        return DocumentAnswer(question)
    searched = hits
    hits, copies = without_copies(searched)
    hits, copies = cited_from_the_original(index, question, searched, hits, copies)
    if hits[0].document.status == "repealed":
        in_force = next((h for h in hits[:k] if h.document.status == "in_force" and h.score >= IN_FORCE_MARGIN * hits[0].score), None)
        if in_force is not None:
            hits, copies = [in_force] + [h for h in hits if h is not in_force], []  # (those were the repealed one's)
    if index.coverage(question, hits[0].passage) < MIN_COVERAGE:
        return DocumentAnswer(question)
    return DocumentAnswer(question, hits[:k], answering_sentence(index, question, hits[0].passage), copies)


def without_copies(hits: list[PassageHit]) -> tuple[list[PassageHit], list[Document]]:
    """The hits without the passages of documents that copy a better-ranked one (a reprint is
    not another source), and the best document's copies, to be named apart (a copy marked
    repealed says so in its citation)."""
    documents = {h.document.docid: h.document for h in hits}  # in rank order
    first: dict[str, str] = {}  # docid -> the best-ranked document of its copies
    for docid, document in documents.items():
        first[docid] = next((f for f in dict.fromkeys(first.values()) if same_text(document, documents[f])), docid)
    best = hits[0].document.docid
    copies = [d for docid, d in documents.items() if docid != best and first[docid] == best]
    return [h for h in hits if first[h.document.docid] == h.document.docid], copies


def cited_from_the_original(
    index: DocumentIndex, question: str, searched: list[PassageHit], hits: list[PassageHit], copies: list[Document]
) -> tuple[list[PassageHit], list[Document]]:
    """The official text of the best and its copies (with a 文号, else an issuer; on a tie the
    best-ranked) cited in place of a reprint ranked above it: at its own passage that holds the
    sentence answering, if that passage answers as well; the reprint is then named apart, and
    the original's other passages among those `searched` come back. Else as they were."""
    best = hits[0]
    original = max([best.document, *copies], key=lambda d: (bool(d.doc_number), bool(d.issuer)))
    if original is best.document:
        return hits, copies
    said = "".join(answering_sentence(index, question, best.passage).split())
    passage = next((p for p in index.passages_of(original.docid) if said in "".join(p.text.split())), None)
    if passage is None or index.coverage(question, passage) < MIN_COVERAGE:
        return hits, copies
    lead = PassageHit(passage, original, best.score, best.signals)
    kept = {id(h) for h in hits[1:] if h.document.docid != best.document.docid}  # the reprint's other passages go with it
    rest = [h for h in searched if id(h) in kept or (h.document.docid == original.docid and h.passage != passage)]
    return [lead, *rest], [best.document, *(d for d in copies if d is not original)]


def sentence_place(passage: Passage, sentence: str) -> str:
    offset = passage.text.find(sentence)
    return passage.place_at(offset) if offset >= 0 else passage.place.split("至")[0]


def citation(document: Document, place: str = "") -> str:
    """《标题》（发文机关，文号，日期）第三条"""
    facts = [f for f in (document.issuer, document.doc_number, date_cn(document.date)) if f]
    title = document.title or document.docid
    if not (title.startswith("《") and title.endswith("》") and title.count("《") == 1):
        title = "《" + title.replace("《", "〈").replace("》", "〉") + "》"  # nested title marks
    repealed = "（已废止/失效）" if document.status == "repealed" else ""
    return title + repealed + (f"（{'，'.join(facts)}）" if facts else "") + place


def date_cn(iso: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return f"{int(match[1])}年{int(match[2])}月{int(match[3])}日" if match else ""


def status_note(document: Document) -> str:
    return "注意：该文件已废止或失效，以下内容仅供查阅，不作为现行政策依据。" if document.status == "repealed" else ""


def reply_text(result: DocumentAnswer) -> str:
    """The chat reply: the answering sentence, its citation and the passage it stands in."""
    if not result.found:
        return NOT_FOUND
    hit = result.best
    lines = [line for line in (status_note(hit.document),) if line]
    lines.append(f"根据{citation(hit.document, sentence_place(hit.passage, result.sentence))}：")
    lines.append(f"“{result.sentence}”")
    if result.sentence.strip() != hit.passage.text.strip():
        lines.append(f"原文段落：{hit.passage.text}")
    if hit.document.url:
        lines.append(f"来源：{hit.document.url}")
    if result.copies:
        lines.append("同一内容另见：" + "；".join(dict.fromkeys(citation(d) for d in result.copies)))
    others = [h for h in result.hits[1:] if h.document.docid != hit.document.docid]
    if others:
        lines.append("相关文件：" + "；".join(dict.fromkeys(citation(h.document) for h in others)))
    return "\n".join(lines)


def card(hit: PassageHit, sentence: str = "") -> dict:
    """What channels and the agent console draw for one passage."""
    document = hit.document
    return {
        "docid": document.docid,
        "title": document.title,
        "issuer": document.issuer,
        "doc_number": document.doc_number,
        "date": document.date,
        "url": document.url,
        "status": document.status,
        "in_force": document.status == "in_force",
        "place": sentence_place(hit.passage, sentence) if sentence else hit.passage.place,
        "heading_path": hit.passage.heading_path,
        "passage": hit.passage.text,
        "sentence": sentence,
    }
