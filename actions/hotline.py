"""The 12345 category and suggested department of a work order filed in the chat: the
agent console's classifier (assist/classifier.py), trained once per action server on the
USE-m embedder retrieval has loaded already. Training takes seconds, so it starts in a
background thread when the server starts; the first summary waits for it if need be."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor

from actions.context import knowledge
from assist.classifier import HotlineClassifier, build_classifier
from assist.suggest import suggested_department
from catalogue.model import ServiceItem
from retrieval.embedders import CachedEmbedder
from settings import get_settings

log = logging.getLogger(__name__)
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline")
_classifier: Future | None = None


def _build() -> HotlineClassifier:
    searcher, _ = knowledge()
    use = next((e for e in searcher.index.embedders if e.name.startswith("use")), None)
    # The model is shared; the on-disk vector cache gets a connection of this thread (sqlite3's rule).
    embedder = CachedEmbedder(use.inner, get_settings().embedding_cache_dir) if isinstance(use, CachedEmbedder) else None
    classifier = build_classifier(embedder=embedder)
    log.info("hotline classifier ready for work orders")
    return classifier


def start_training() -> Future:
    global _classifier
    if _classifier is None:
        _classifier = _worker.submit(_build)
    return _classifier


async def classify(text: str, items: list[ServiceItem]) -> tuple[str | None, str | None]:
    """(category, department) of a citizen's complaint, report, suggestion or request;
    (None, None) if the classifier cannot be had: a 12345 agent then assigns it."""
    try:
        classifier = await asyncio.wrap_future(start_training())
        category = (await asyncio.get_running_loop().run_in_executor(_worker, classifier.rank, text, 1))[0][0]
    except Exception:  # the work order is still filed, unassigned
        log.exception("hotline classifier unavailable: work order left for an agent to assign")
        return None, None
    return category, suggested_department(classifier, category, items)["name"]
