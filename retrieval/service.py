"""Open the portal's searcher: load the index from disk, bringing it up to date if asked."""

from __future__ import annotations

import logging
import time

from catalogue.store import Catalogue, load_catalogue
from retrieval.confidence import Confidence
from retrieval.embedders import make_embedders
from retrieval.index import IndexUnavailable, RetrievalIndex
from retrieval.search import Searcher
from retrieval.rerank import Reranker
from retrieval.text import lexicon_fingerprint, load_acts, load_lexicon, load_doing_words, load_word_pattern
from settings import Settings, get_settings

log = logging.getLogger(__name__)


def load_index(settings: Settings) -> RetrievalIndex:
    """The saved index, as is (raises `IndexUnavailable` naming the rebuild command)."""
    embedders = make_embedders(settings.embedders, settings.embedding_cache_dir)
    return RetrievalIndex.load(settings.index_dir, embedders, load_lexicon(settings.dict_dir))


def index_fingerprint(catalogue: Catalogue, settings: Settings) -> str:
    """What an index was built from: the catalogue's files and the dictionary that split its words."""
    return f"{catalogue.fingerprint()}+{lexicon_fingerprint(settings.dict_dir)}"


def ensure_index(catalogue: Catalogue, settings: Settings, full: bool = False, progress: bool = False) -> tuple[RetrievalIndex, str]:
    """The index of `catalogue`, updated in place (only changed items embedded) or built."""
    started = time.perf_counter()
    fingerprint = index_fingerprint(catalogue, settings)
    try:
        if full:
            raise IndexUnavailable("a full rebuild was asked for")
        index = load_index(settings)
        if index.fingerprint == fingerprint:
            return index, "up to date"
        if index.fingerprint.rpartition("+")[2] != fingerprint.rpartition("+")[2]:
            # Every item's stored words were split by the old dictionary (embeddings come from the cache).
            raise IndexUnavailable("the dictionary changed")
        added, updated, removed = index.sync(catalogue.entries(), progress=progress)
        what = f"updated: {added} added, {updated} changed, {removed} removed"
    except IndexUnavailable as exc:
        log.info("building the %s index from scratch (%s)", settings.portal, exc)
        embedders = make_embedders(settings.embedders, settings.embedding_cache_dir)
        index = RetrievalIndex(embedders, load_lexicon(settings.dict_dir))
        index.upsert(catalogue.entries(), progress=progress)
        what = "built from scratch"
    index.fingerprint = fingerprint
    index.save(settings.index_dir)
    return index, f"{what} in {time.perf_counter() - started:.1f} s"


def open_searcher(settings: Settings | None = None, update: bool = True) -> tuple[Searcher, Catalogue]:
    """The searcher; with `update=False` (servers) a missing or stale index is an error."""
    settings = settings or get_settings()
    catalogue = load_catalogue(settings)
    if update:
        index, _ = ensure_index(catalogue, settings, progress=True)
    else:
        index = load_index(settings)
        if index.fingerprint != index_fingerprint(catalogue, settings):
            log.warning("the %s index is older than the catalogue or the dictionary: run `make index`", settings.portal)
    confidence = Confidence.from_file(settings.data_dir / "retrieval" / "confidence.json")
    reranker = Reranker.from_file(settings.data_dir / "retrieval" / "reranker.json")
    doing_words = load_doing_words(settings.data_dir / "dialogue" / "doing_words.txt")
    return Searcher(
        index, catalogue.gazetteer, confidence, reranker, load_acts(settings.dict_dir),
        load_word_pattern(settings.dict_dir / "progress_words.txt"), doing_words, load_word_pattern(settings.dict_dir / "lookup_words.txt"),
    ), catalogue
