"""What every action shares: the portal's catalogue and searcher, loaded once per process."""

from __future__ import annotations

import logging
from functools import lru_cache

from catalogue.store import Catalogue
from retrieval.search import Searcher
from retrieval.service import open_searcher

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def knowledge() -> tuple[Searcher, Catalogue]:
    """The searcher and catalogue; a missing or corrupt index raises, naming `make index`."""
    searcher, catalogue = open_searcher(update=False)
    log.info("loaded the %s catalogue: %d items", catalogue.portal, len(catalogue.items))
    return searcher, catalogue
