"""Generate NLU training data from the catalogue and gazetteer of the portal PORTAL names.

    python -m bot.nlu_generate OUT.yml

Item names go through the paraphrase patterns of `data/nlu_templates.yml`, so the
model learns the catalogue's vocabulary as service phrases; region names and aliases
become a lookup table, and aliases synonyms of their region's name. Hand-written colloquial examples live in `nlu_data/`.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

from catalogue.store import load_catalogue
from settings import get_settings

SEED = 7
PER_INTENT = {"search_service": 450, "inform_region": 60}
PER_FIELD_INTENT = 70
PARENTHESES = re.compile(r"[（(][^（）()]*[）)]")
UNSAFE = re.compile(r"[\[\]{}()（）\n\r\"#|]")
MAX_NAME = 24


def clean_name(name: str) -> str | None:
    name = UNSAFE.sub("", PARENTHESES.sub("", PARENTHESES.sub("", name))).strip("、，。 ")
    return name if 2 <= len(name) <= MAX_NAME else None


def region_names(gazetteer) -> list[str]:
    names = set()
    for region in gazetteer.regions.values():
        names.add(region.name)
        names.update(a for a in region.aliases if len(a) >= 2)
    return sorted(names)


def examples_for(intent: str, patterns: list[str], names: list[str], regions: list[str], count: int, rng: random.Random) -> list[str]:
    out: set[str] = set()
    for _ in range(count * 4):
        if len(out) >= count:
            break
        pattern = rng.choice(patterns)
        text = pattern.replace("{name}", f"[{rng.choice(names)}](service)") if "{name}" in pattern else pattern
        text = text.replace("{region}", f"[{rng.choice(regions)}](region)")
        out.add(text)
    return sorted(out)


def generate() -> dict:
    settings = get_settings()
    catalogue = load_catalogue(settings)
    templates = yaml.safe_load((settings.data_dir / "nlu_templates.yml").read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    names = sorted({n for n in (clean_name(i.name) for i in catalogue.items.values()) if n})
    regions = region_names(catalogue.gazetteer)
    nlu = []
    for intent, patterns in templates.items():
        count = PER_INTENT.get(intent, PER_FIELD_INTENT)
        examples = examples_for(intent, patterns, names, regions, count, rng)
        nlu.append({"intent": intent, "examples": "".join(f"- {e}\n" for e in examples)})
    nlu.append({"lookup": "region", "examples": "".join(f"- {r}\n" for r in regions)})
    for region in catalogue.gazetteer.regions.values():  # 泉城 → 济南市, 岛城 → 青岛市
        aliases = sorted(a for a in region.aliases if len(a) >= 2)
        if aliases:
            nlu.append({"synonym": region.name, "examples": "".join(f"- {a}\n" for a in aliases)})
    return {"version": "3.1", "nlu": nlu}


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line examples as `|` blocks, the way Rasa's own files look."""


_LiteralDumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def write(data: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.dump(data, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    data = generate()
    write(data, args.out)
    counts = {block.get("intent") or block.get("lookup"): block["examples"].count("\n") for block in data["nlu"] if "synonym" not in block}
    print(f"wrote {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
