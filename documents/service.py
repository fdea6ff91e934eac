"""A deployment's documents: where they come from (`data/documents/<portal>/`), where their
index lives (`var/documents/<portal>/`), and opening it for the actions and the console."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from documents.converters import ImportReport, convert
from documents.index import DocumentIndex, DocumentsUnavailable
from documents.places import provinces, question_words
from retrieval.embedders import CachedEmbedder, make_embedders
from retrieval.text import lexicon_fingerprint, load_lexicon
from settings import Settings, get_settings

log = logging.getLogger(__name__)

# USE-m ranks short names well but long passages poorly (retrieval/embedders.py), so
# passages are embedded by e5 when the deployment has it.
PASSAGE_EMBEDDER = "e5"


def document_embedders(settings: Settings) -> list[CachedEmbedder]:
    specs = [s for s in settings.embedders.split("+") if s.strip()]
    chosen = PASSAGE_EMBEDDER if PASSAGE_EMBEDDER in specs else "+".join(specs)
    return make_embedders(chosen, settings.embedding_cache_dir)


def source_dir(settings: Settings) -> Path:
    return settings.data_dir / "documents" / settings.portal


def index_dir(settings: Settings) -> Path:
    return settings.var_dir / "documents" / settings.portal


def new_index(settings: Settings) -> DocumentIndex:
    return DocumentIndex(
        document_embedders(settings), load_lexicon(settings.dict_dir),
        known_places=provinces(settings.dict_dir), asking=question_words(settings.dict_dir),
        lexicon_version=lexicon_fingerprint(settings.dict_dir),
    )


def load_documents(settings: Settings | None = None) -> DocumentIndex:
    """The saved index as is (raises `DocumentsUnavailable` naming the build command)."""
    settings = settings or get_settings()
    return DocumentIndex.load(
        index_dir(settings), document_embedders(settings), load_lexicon(settings.dict_dir),
        provinces(settings.dict_dir), question_words(settings.dict_dir), lexicon_fingerprint(settings.dict_dir),
    )


def open_documents(settings: Settings | None = None) -> DocumentIndex:
    """The saved index; built from the portal's document folder if there is none yet
    (`make run` builds it first; a folder of a few hundred files takes seconds once their
    embeddings are cached)."""
    settings = settings or get_settings()
    try:
        return load_documents(settings)
    except DocumentsUnavailable as exc:
        log.warning("%s: building it now", exc)
        index, report, what = sync(settings)
        log.info("documents index: %s; %s", what, report.summary().splitlines()[0])
        return index


def sync(settings: Settings, sources: list[Path] | None = None, progress: bool = False) -> tuple[DocumentIndex, ImportReport, str]:
    """Make the index hold exactly the documents of `sources` (default: the portal's folder):
    new and changed documents are (re)imported — a document imported again replaces the
    old one by its docid — and documents no longer there are removed."""
    started = time.perf_counter()
    try:
        index = load_documents(settings)
    except DocumentsUnavailable as exc:
        log.info("building the %s documents index from scratch (%s)", settings.portal, exc)
        index = new_index(settings)
    if sources is None:
        sources = [source_dir(settings)] if source_dir(settings).is_dir() else []
    documents, report = convert(sources)
    wanted = {d.docid for d in documents}
    removed = index.remove([d for d in list(index.documents) if d not in wanted])
    before = index.passage_count
    added = index.upsert(documents, progress=progress)
    index.save(index_dir(settings))
    what = f"{len(index)} documents, {index.passage_count} passages ({added} passages new, {removed} documents removed; was {before})"
    return index, report, f"{what} in {time.perf_counter() - started:.1f} s"
