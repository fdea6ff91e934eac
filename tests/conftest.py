"""Shared fixtures: real catalogues, real indexes in a temporary folder.

Embeddings are cached by content outside the work tree (settings.cache_dir), so only the
first run on a machine pays for embedding the catalogues.
"""

from __future__ import annotations

import os
import re
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
def gd_catalogue(gd_settings, gd_searcher):
    """The catalogue the Guangdong searcher was built from (gazetteer, themes, entries)."""
    from catalogue.store import load_catalogue

    return load_catalogue(gd_settings)


@pytest.fixture(scope="session")
def sd_catalogue(sd_settings, sd_searcher):
    """The catalogue the Shandong searcher was built from."""
    from catalogue.store import load_catalogue

    return load_catalogue(sd_settings)


@pytest.fixture(scope="session")
def sd_searcher(sd_settings):
    from retrieval.service import open_searcher

    searcher, _ = open_searcher(sd_settings)
    return searcher


@pytest.fixture(scope="session")
def bot(sd_settings):
    """The whole assistant (portal, action server, Rasa) on the Shandong sample, once per session."""
    from bot.run import start, stop
    from bot.train import train
    from catalogue.store import load_catalogue
    from retrieval.service import ensure_index
    from tests.chat import ACTIONS_PORT, ENV, NOTIFIER_PORT, RASA_PORT

    ensure_index(load_catalogue(sd_settings), sd_settings)
    # A real tracker store (SQLite in the test's var dir) and each process's output in
    # var/logs/, so tests/test_privacy.py can scan what the bot keeps and logs.
    endpoints = sd_settings.var_dir / "endpoints.yml"
    ours = re.sub(r"(?m)^tracker_store:\n(?:[ \t]+.*\n?)*", "", (ROOT / "bot" / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints.write_text(
        ours + f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {sd_settings.var_dir / 'tracker.sqlite'}\n",
        encoding="utf-8",
    )
    processes = start(
        train(), RASA_PORT, ACTIONS_PORT, log_dir=sd_settings.var_dir / "logs", endpoints=str(endpoints),
        notifier_port=NOTIFIER_PORT, TONGBAN_VAR=str(sd_settings.var_dir), **ENV,
    )
    yield processes
    stop(processes)


@pytest.fixture(scope="session")
def many(tmp_path_factory):
    """Two hosts (a Rasa server, an action server and a notifier each) sharing only Redis and
    PostgreSQL, one portal (tests/instances.py)."""
    from bot.train import train
    from catalogue.store import load_catalogue
    from retrieval.service import ensure_index
    from tests.instances import host_var, start_many, stop_many

    var_dir = tmp_path_factory.mktemp("var-many")
    for i in range(2):  # each host indexes the catalogue itself (embeddings come from the shared cache)
        settings = portal_settings("shandong", host_var(var_dir, i))
        ensure_index(load_catalogue(settings), settings)
    deployment = start_many(train(), var_dir)
    yield deployment
    stop_many(deployment)
