"""`python -m insight hot STREAM --window 7d [--out FILE]`: hot issues of a file of hotline
records (JSON lines, CSV or XLSX), as a JSON list `[{rank, label, message_ids,
window_start, window_end, heat, burst}]` on standard output or in FILE.
`python -m insight report STREAM --day YYYY-MM-DD [--out DIR]`: the daily report (HTML, XLSX).
`python -m insight ingest FILE`: new records into var/insight.sqlite (the console's dashboard).
`python -m insight ingest-workorders`: the work orders filed in the conversation since the
last run, from the portal (PORTAL_URL, PORTAL_STAFF_TOKEN), into the same store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from insight.hot import parse_window
from insight.pipeline import analyse_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insight", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    hot = commands.add_parser("hot", help="hot issues of a stream of records")
    hot.add_argument("stream", type=Path)
    hot.add_argument("--window", default="7d", help="how far apart messages of one issue may be: 7d, 48h …")
    hot.add_argument("--out", type=Path, help="write the JSON here instead of standard output")
    ingest = commands.add_parser("ingest", help="add a file's new records to var/insight.sqlite (the dashboard's data)")
    ingest.add_argument("stream", type=Path)
    commands.add_parser("ingest-workorders", help="add the portal's new 12345 work orders to var/insight.sqlite")
    report = commands.add_parser("report", help="the daily report (HTML and XLSX) of one day")
    report.add_argument("stream", type=Path)
    report.add_argument("--day", required=True, help="YYYY-MM-DD")
    report.add_argument("--window", default="7d")
    report.add_argument("--out", type=Path, default=Path("var/reports"))
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(parser, args)
    if args.command == "ingest":
        return _ingest(parser, args)
    if args.command == "ingest-workorders":
        return _ingest_work_orders()
    try:
        window = parse_window(args.window)
    except ValueError as error:
        parser.error(str(error))
    if not args.stream.exists():
        parser.error(f"{args.stream}: no such file")
    try:
        issues = analyse_file(args.stream, window)
    except ValueError as error:  # an unreadable file type
        print(error, file=sys.stderr)
        return 2
    text = json.dumps([issue.as_json() for issue in issues], ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"{len(issues)} issues → {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def _read_stream(parser: argparse.ArgumentParser, path):
    """A stream's records and the lines skipped (each said on stderr); None if unreadable."""
    from insight.records import read_records

    if not path.exists():
        parser.error(f"{path}: no such file")
    try:
        records, errors = read_records(path)
    except ValueError as error:
        print(error, file=sys.stderr)
        return None, []
    for error in errors:
        print(error, file=sys.stderr)
    return records, errors


def _ingest(parser: argparse.ArgumentParser, args) -> int:
    from insight.store import InsightStore
    from settings import get_settings

    records, errors = _read_stream(parser, args.stream)
    if records is None:
        return 2
    count = _add(InsightStore(get_settings().var_dir / "insight.sqlite"), records)
    print(f"{count} new records ingested ({len(records) - count} already there, {len(errors)} lines skipped)")
    return 0


def _add(store, records) -> int:
    """The records not stored yet, classified where they have no category; how many."""
    from assist.classifier import build_classifier
    from insight.pipeline import embedder, place_finder

    known = store.known([r.id for r in records])
    new = [r for r in records if r.id not in known]
    classifier = build_classifier() if any(not r.category for r in new) else None
    return store.ingest(new, embedder(), place_finder(), classifier)


def _ingest_work_orders() -> int:
    from insight import workorders
    from insight.store import InsightStore
    from settings import get_settings

    settings = get_settings()
    store = InsightStore(settings.var_dir / "insight.sqlite")
    try:
        orders = workorders.fetch(settings.portal_url, settings.portal_staff_token, store.latest(workorders.PREFIX))
    except OSError as error:  # the portal is down or refused the token
        print(f"工单读取失败（{settings.portal_url}）：{error}", file=sys.stderr)
        return 2
    records = [workorders.as_record(order) for order in orders]
    count = _add(store, records)
    print(f"{count} new work orders ingested ({len(records) - count} already there)")
    return 0


def _report(parser: argparse.ArgumentParser, args) -> int:
    from datetime import date

    from assist.classifier import build_classifier
    from insight.pipeline import embedder, place_finder
    from insight.report import daily_report, write_report

    try:
        window, day = parse_window(args.window), date.fromisoformat(args.day)
    except ValueError as error:
        parser.error(str(error))
    records, errors = _read_stream(parser, args.stream)
    if records is None:
        return 2
    classifier = build_classifier() if any(not r.category for r in records) else None
    issues, table = daily_report(records, day, window, embedder(), place_finder(), classifier)
    for path in write_report(args.out, day, issues, table):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
