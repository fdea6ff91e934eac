"""Open the documents index of a deployment: build or update it from `data/documents/`."""

from __future__ import annotations

from retrieval.embedders import CachedEmbedder, make_embedders
from settings import Settings

# USE-m ranks short names well but long passages poorly (retrieval/embedders.py), so
# passages are embedded by e5 when the deployment has it.
PASSAGE_EMBEDDER = "e5"


def document_embedders(settings: Settings) -> list[CachedEmbedder]:
    specs = [s for s in settings.embedders.split("+") if s.strip()]
    chosen = PASSAGE_EMBEDDER if PASSAGE_EMBEDDER in specs else "+".join(specs)
    return make_embedders(chosen, settings.embedding_cache_dir)
