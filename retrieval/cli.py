"""Ask the catalogue from a terminal: `python -m retrieval.cli [QUESTION]`.

A region named in the question ("在青岛怎么办") becomes the region filter.
"""

from __future__ import annotations

import argparse
import logging
import sys

from retrieval.fields import detect_field, field_answer
from retrieval.search import Filters, SearchResult
from retrieval.service import open_searcher


def show(result: SearchResult, question: str) -> None:
    if not result.confident:
        print("  没有找到匹配的事项。可以换个说法，或拨打12345政务服务便民热线咨询。")
        for hit in result.hits[:3]:
            print(f"  (相近但不确定: {hit.item.name})")
        return
    best = result.hits[0]
    field = detect_field(question)
    print(f"  {field_answer(best.item, field) if field else field_answer(best.item, 'summary')}")
    for rank, hit in enumerate(result.hits[1:5], 2):
        print(f"  {rank}. {hit.item.name}（{hit.item.department}，{hit.item.code}） score={hit.score}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("question", nargs="*")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    searcher, catalogue = open_searcher()
    questions = [" ".join(args.question)] if args.question else None
    print(f"通办 · {catalogue.portal}: {len(catalogue.items)} 个事项。输入问题，回车检索；Ctrl-D 退出。")
    while True:
        if questions is not None:
            if not questions:
                return 0
            question = questions.pop()
        else:
            try:
                question = input("问> ")
            except EOFError:
                return 0
        region = catalogue.gazetteer.resolve(question)
        result = searcher.search(question, Filters(region_code=region.code if region else None), k=5)
        show(result, question)


if __name__ == "__main__":
    sys.exit(main())
