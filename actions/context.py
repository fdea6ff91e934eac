"""What every action shares, opened once per process: the catalogue and searcher, the
vault of raw personal numbers, and the outbox of submissions; and what the user said."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from actions.portal_client import Outbox
from catalogue.store import Catalogue
from channels.vault import Vault
from retrieval.search import Searcher
from retrieval.service import open_searcher

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def knowledge() -> tuple[Searcher, Catalogue]:
    """The searcher and catalogue; a missing or corrupt index raises, naming `make index`."""
    searcher, catalogue = open_searcher(update=False)
    log.info("loaded the %s catalogue: %d items", catalogue.portal, len(catalogue.items))
    return searcher, catalogue


@lru_cache(maxsize=1)
def vault() -> Vault:
    return Vault()


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    return Outbox()


def bot_payloads(tracker: Tracker) -> Iterator[dict[str, Any]]:
    """The custom payloads of the bot's replies (`json_message`), newest first; {} for a reply without."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            yield (event.get("data") or {}).get("custom") or {}


def latest_said(tracker: Tracker) -> str:
    """The latest message, with slips by sound mended: in the words that ask for a fact ("咨询电花
    多少" asks the phone: retrieval/typos.py, AskingSlips) and in the names of things (Homophones:
    "她那个居注证满一年了" names 居住证 to the words weighed against the topic, as to the search)."""
    searcher = knowledge()[0]
    return searcher.homophones.correct(searcher.asking_slips.mend(tracker.latest_message.get("text") or ""))


def user_texts(tracker: Tracker) -> list[str]:
    """What the user said in this conversation, oldest first."""
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
