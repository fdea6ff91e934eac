"""Policy central kitchen commands.

    python -m policies extract FILE          propose each policy's conditions (FILE.proposed.jsonl)
    python -m policies check FILE            import FILE (JSONL / YAML), report bad rows
    python -m policies eval-extract FILE     condition-level P/R/F1 against FILE's gold conditions
    python -m policies eval-match POLICIES PROFILES   match on conditions extracted from the texts

Each eval prints a table and, as its last line, JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from policies.evaluate import extraction_scores, match_scores
from policies.extract import extract
from policies.importer import import_policies


def _load(path: Path):
    if not path.exists():
        sys.exit(f"文件不存在: {path}")
    try:
        result = import_policies(path)
    except ValueError as exc:
        sys.exit(str(exc))
    if result.errors:
        print(result.summary(str(path)), file=sys.stderr)
    if not result.records:
        sys.exit(f"{path}: 没有可导入的政策")
    return result.records


def cmd_extract(args: argparse.Namespace) -> None:
    policies = _load(args.file)
    out_path = args.out or args.file.with_name(args.file.stem + ".proposed.jsonl")
    with out_path.open("w", encoding="utf-8") as out:
        for policy in tqdm(policies, desc="extract", disable=len(policies) < 50):
            proposed = extract(policy.text, policy.issuer, policy.title).present()
            out.write(json.dumps({"id": policy.id, "title": policy.title, "proposed_conditions": proposed},
                                 ensure_ascii=False) + "\n")
    print(f"{len(policies)} proposals written beside the policies: {out_path}")


def cmd_check(args: argparse.Namespace) -> None:
    result = import_policies(args.file)
    print(result.summary(str(args.file)))
    sys.exit(1 if result.errors else 0)


def cmd_eval_extract(args: argparse.Namespace) -> None:
    policies = _load(args.file)
    pairs = [(extract(p.text, p.issuer, p.title), p.conditions) for p in policies]
    total, per_field = extraction_scores(pairs)
    print(f"{'condition':<24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for field, s in sorted(per_field.items()):
        print(f"{field:<24}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>5}{s.fp:>5}{s.fn:>5}")
    print(f"{'all (micro)':<24}{total.precision:>7.3f}{total.recall:>7.3f}{total.f1:>7.3f}{total.tp:>5}{total.fp:>5}{total.fn:>5}")
    print(json.dumps({"precision": round(total.precision, 4), "recall": round(total.recall, 4), "f1": round(total.f1, 4)}))


def cmd_eval_match(args: argparse.Namespace) -> None:
    policies = _load(args.policies)
    if not args.profiles.exists():
        sys.exit(f"文件不存在: {args.profiles}")
    profiles = []
    for number, line in enumerate(args.profiles.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                profiles.append(json.loads(line))
            except json.JSONDecodeError as exc:
                sys.exit(f"{args.profiles} 第{number}行不是合法的JSON: {exc}")
    conditions = [extract(p.text, p.issuer, p.title) for p in policies]
    try:
        scores, _ = match_scores(policies, conditions, profiles)
    except ValueError as exc:
        sys.exit(f"档案有误: {exc}")
    e, u = scores.eligible, scores.unknown
    print(f"profiles {len(profiles)}, policies {len(policies)} (conditions extracted from the texts)")
    print(f"eligible pairs  P {e.precision:.3f}  R {e.recall:.3f}  F1 {e.f1:.3f}  (tp {e.tp}, fp {e.fp}, fn {e.fn})")
    print(f"unknown pairs   P {u.precision:.3f}  R {u.recall:.3f}  F1 {u.f1:.3f}  (tp {u.tp}, fp {u.fp}, fn {u.fn})")
    print(f"exact-set accuracy per profile {scores.exact:.3f}")
    print(json.dumps({"precision": round(e.precision, 4), "recall": round(e.recall, 4), "f1": round(e.f1, 4),
                      "unknown_f1": round(u.f1, 4), "exact": round(scores.exact, 4)}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m policies", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="propose conditions from each policy's text")
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path)
    p.set_defaults(run=cmd_extract)
    p = sub.add_parser("check", help="import a policy file and report bad rows")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_check)
    p = sub.add_parser("eval-extract", help="extraction P/R/F1 against gold conditions")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_eval_extract)
    p = sub.add_parser("eval-match", help="matching P/R/F1 on extracted conditions")
    p.add_argument("policies", type=Path)
    p.add_argument("profiles", type=Path)
    p.set_defaults(run=cmd_eval_match)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
