"""What the action server and the console need on disk — the items' index, the documents'
index, the dashboard's sample records — built or checked in one interpreter (as three
commands they paid for their imports three times: 7.7 s, now ~4 s). `python -m bot.run`
runs it while Rasa loads its model.

    python -m bot.prepare
"""

from __future__ import annotations

import sys

from documents import build as documents_build
from insight import __main__ as insight
from retrieval import build as retrieval_build
from settings import ROOT

DASHBOARD_SAMPLE = ROOT / "data" / "insight" / "sample_stream.jsonl"  # authored, see its README


def main() -> int:
    return (
        retrieval_build.main([])
        or documents_build.main([])
        or insight.main(["ingest", str(DASHBOARD_SAMPLE)])
    )


if __name__ == "__main__":
    sys.exit(main())
