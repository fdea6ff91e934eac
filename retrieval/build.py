"""Build or update the retrieval index of the portal that PORTAL names.

    python -m retrieval.build            # update in place: embed only new or changed items
    python -m retrieval.build --full     # rebuild from nothing (embeddings stay cached)
"""

from __future__ import annotations

import argparse
import logging
import sys

from catalogue.store import load_catalogue
from retrieval.service import ensure_index
from settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="rebuild from nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    index, what = ensure_index(load_catalogue(settings), settings, full=args.full, progress=True)
    print(f"{settings.portal} index of {len(index)} items at {settings.index_dir}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
