"""Tongban's action server skills (rasa-sdk): `python -m rasa_sdk --actions actions`.

rasa_sdk imports this package in its main process, to register the actions, and again in
the Sanic worker that serves ("Sanic-Server-…"), while unpickling the app. The main
process checks that the catalogue and index load — in a short-lived child process, so
that it neither keeps the models nor fixes multiprocessing's start method (bm25s's tqdm
lock and any `multiprocessing` child would) before Sanic sets it —
and a missing or corrupt index stops the server at once, naming `make index` (a worker
failing instead would leave Sanic waiting 30 s for it). The worker loads them for good
before its first question. Imported anywhere else (tests, tools), the package loads nothing.
"""

import multiprocessing
import subprocess
import sys
from pathlib import Path

from actions.context import knowledge
from retrieval.index import IndexUnavailable


def check_knowledge() -> None:
    """Load the catalogue and index; exit with a message naming `make index` if they cannot be."""
    try:
        knowledge()
    except IndexUnavailable as exc:
        raise SystemExit(f"Tongban's action server cannot start: {exc}") from None


def _action_server_main() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return multiprocessing.current_process().name == "MainProcess" and getattr(spec, "name", None) == "rasa_sdk.__main__"


if _action_server_main():
    checked = subprocess.run(
        [sys.executable, "-c", "from actions import check_knowledge; check_knowledge()"], cwd=Path(__file__).parents[1]
    )
    if checked.returncode:
        raise SystemExit(checked.returncode)
elif multiprocessing.current_process().name.startswith("Sanic-Server"):
    check_knowledge()
