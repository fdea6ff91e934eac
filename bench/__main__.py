"""`python -m bench` (`make bench`): run every benchmark; exit 1 if any misses its targets.

Each benchmark is a function of the parsed options that prints its table, with baselines
measured in the same run, and returns whether its targets are met.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import analytics, assist_latency, documents_scale, hotline_day, load, policy_match, scale, search_latency

BENCHES = [search_latency.run, assist_latency.run, policy_match.run, hotline_day.run, scale.run, documents_scale.run, load.run, analytics.run]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=scale.FULL_SCALE, help="minimum synthetic catalogue size")
    parser.add_argument("--quick", action="store_true", help="a fast check: ~200k entries; 10 citizens for 10 s")
    parser.add_argument("--users", type=int, help=f"load test: simulated citizens (default {load.FULL_USERS})")
    parser.add_argument("--seconds", type=float, help=f"load test: how long they talk (default {load.FULL_SECONDS:.0f})")
    parser.add_argument("--rasa-servers", type=int, default=1, help="load test: Rasa servers (and action servers) sharing Redis")
    parser.add_argument("--only", choices=[b.__module__.split(".")[-1] for b in BENCHES], help="run one benchmark")
    parser.add_argument("--hotline-messages", type=Path, help="hotline messages for the assist latency (JSON lines with title, text)")
    parser.add_argument("--hotline-days", type=int, help="hotline_day: days of the incremental month (default 30)")
    parser.add_argument("--hotline-records", type=int, help="hotline_day: records a day (default 40,000)")
    parser.add_argument("--codec", default=scale.CODEC, help="faiss IVF code, e.g. SQfp16 or SQ8")
    parser.add_argument("--documents", type=int, help=f"documents scale: synthetic documents (default {documents_scale.DEFAULT_DOCS:,}; targets judged at {documents_scale.FULL_DOCS:,})")
    parser.add_argument("--analytics-postgres", metavar="URL", help="analytics: also on a PostgreSQL server (a fresh database is made there)")
    args = parser.parse_args()
    if args.quick:
        args.entries = 200_000
    ok = True
    for bench in BENCHES:
        if args.only and bench.__module__.split(".")[-1] != args.only:
            continue
        start = time.perf_counter()
        ok &= bench(args)
        print(f"{bench.__module__}: {time.perf_counter() - start:.0f} s\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
