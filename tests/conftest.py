"""Shared fixtures: real catalogues, real indexes in a temporary folder.

Embeddings are cached by content outside the work tree (settings.cache_dir), so only the
first run on a machine pays for embedding the catalogues.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from settings import Settings  # noqa: E402


def portal_settings(portal: str, var_dir: Path) -> Settings:
    return replace(Settings(), portal=portal, var_dir=var_dir)


@pytest.fixture(scope="session")
def gd_settings(tmp_path_factory) -> Settings:
    return portal_settings("guangdong", tmp_path_factory.mktemp("var-gd"))


@pytest.fixture(scope="session")
def sd_settings(tmp_path_factory) -> Settings:
    return portal_settings("shandong", tmp_path_factory.mktemp("var-sd"))


@pytest.fixture(scope="session")
def gd_searcher(gd_settings):
    from retrieval.service import open_searcher

    searcher, _ = open_searcher(gd_settings)
    return searcher


@pytest.fixture(scope="session")
def sd_searcher(sd_settings):
    from retrieval.service import open_searcher

    searcher, _ = open_searcher(sd_settings)
    return searcher
