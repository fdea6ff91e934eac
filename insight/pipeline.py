"""The one way a command gets hot issues from a file: read it, embed with the packaged model."""

from __future__ import annotations

import sys
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from insight.hot import Issue, hot_issues
from insight.records import read_records
from retrieval.embedders import CachedEmbedder, UseEmbedder
from settings import get_settings


@lru_cache(maxsize=1)
def embedder() -> CachedEmbedder:
    return CachedEmbedder(UseEmbedder(), get_settings().embedding_cache_dir)


def analyse_file(path: Path, window: timedelta) -> list[Issue]:
    records, errors = read_records(path)
    for error in errors:
        print(error, file=sys.stderr)
    return hot_issues(records, window, embedder())
