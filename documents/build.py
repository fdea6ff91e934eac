"""`python -m documents.build [PATH ...]`: import the portal's documents (default
`data/documents/<portal>/`; or the files and folders given) into its documents index,
printing what was imported and every file that could not be."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from documents.service import index_dir, sync
from settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m documents.build", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (JSONL, HTML, PDF, DOCX, TXT)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    _, report, what = sync(settings, args.paths or None, progress=True)
    print(report.summary())
    print(f"documents index of {settings.portal} at {index_dir(settings)}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
