"""The one way a command gets hot issues from a file: read it, embed with the packaged model."""

from __future__ import annotations

import sys
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from catalogue.gazetteer import load_gazetteer
from insight.hot import Issue, hot_issues
from insight.places import PlaceFinder
from insight.records import read_records
from retrieval.embedders import CachedEmbedder, UseEmbedder
from settings import get_settings


# Hotline messages, embedded in batches of this many: a batch is padded to its longest
# message, and with ~50-character messages 32 at a time ran 1,560 a second against 990 at
# 256 (the vectors agree to cosine 0.998, nearer to unpadded ones than 256's).
EMBED_BATCH = 32


@lru_cache(maxsize=1)
def embedder() -> CachedEmbedder:
    return CachedEmbedder(UseEmbedder(batch=EMBED_BATCH), get_settings().embedding_cache_dir)


@lru_cache(maxsize=1)
def place_finder() -> PlaceFinder:
    """Districts by the portal's gazetteer (PORTAL) and the anonymised codes (A6区)."""
    settings = get_settings()
    path = settings.data_dir / "gazetteer" / f"{settings.portal}.json"
    return PlaceFinder(load_gazetteer(path) if path.exists() else None)


def analyse_file(path: Path, window: timedelta) -> list[Issue]:
    records, errors = read_records(path)
    for error in errors:
        print(error, file=sys.stderr)
    return hot_issues(records, window, embedder(), place_finder())
