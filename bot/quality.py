"""The bot's quality gate (part of `make test`): validate the data, score NLU on the
held-out examples and the dialogue on the test stories, print the numbers, fail below
the bar.

    python -m bot.quality
"""

from __future__ import annotations

import json
import subprocess
import sys

from bot.train import RASA, rasa_env, train
from settings import ROOT, get_settings

MIN_INTENT_MACRO_F1 = 0.85
MIN_STORY_ACCURACY = 1.0


def rasa(*args: str) -> None:
    subprocess.run([str(RASA), *args], cwd=ROOT, env=rasa_env(get_settings()), check=True)


def main() -> int:
    settings = get_settings()
    model = train()
    generated = settings.var_dir / "nlu" / settings.portal / "catalogue.yml"
    out = settings.var_dir / "results"
    rasa("data", "validate", "--fail-on-warnings", "--domain", "domain.yml", "--config", "config.yml",
         "--data", "nlu_data", str(generated), "bot/stories", "bot/rules")
    rasa("test", "nlu", "--model", str(model), "--nlu", "bot/tests/nlu_heldout.yml", "--out", str(out / "nlu"))
    rasa("test", "core", "--model", str(model), "--stories", "bot/tests/test_stories.yml", "--out", str(out / "core"))
    intents = json.loads((out / "nlu" / "intent_report.json").read_text(encoding="utf-8"))
    macro_f1 = intents["macro avg"]["f1-score"]
    stories = json.loads((out / "core" / "story_report.json").read_text(encoding="utf-8"))
    story_accuracy = stories["conversation_accuracy"]["accuracy"]
    print(f"\n{'check':<28}{'value':>8}{'bar':>8}")
    print(f"{'intent macro-F1 (held out)':<28}{macro_f1:>8.3f}{MIN_INTENT_MACRO_F1:>8.2f}")
    print(f"{'story accuracy':<28}{story_accuracy:>8.3f}{MIN_STORY_ACCURACY:>8.2f}")
    failed = macro_f1 < MIN_INTENT_MACRO_F1 or story_accuracy < MIN_STORY_ACCURACY
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
