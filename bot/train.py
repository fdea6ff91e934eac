"""Train the Rasa model of PORTAL only when its training data changed.

    python -m bot.train        # prints the model's path

The model's name carries a hash of everything training reads (config, domain, NLU data
including the catalogue-generated part, stories, rules, the jieba dictionary), so an
unchanged bot starts at once from the model it trained before.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.nlu_generate import generate, write
from settings import ROOT, get_settings

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
TRAINING_INPUTS = ["config.yml", "domain.yml", "nlu_data", "bot/stories", "bot/rules", "bot/components", "data/dict/jieba"]


def training_hash(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def input_files(generated: Path) -> list[Path]:
    files = [generated]
    for name in TRAINING_INPUTS:
        path = ROOT / name
        files += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts] if path.is_dir() else [path]
    return files


def rasa_env(settings) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_CACHE_DIRECTORY": str(settings.cache_dir / "rasa"),
        "PYTHONPATH": str(ROOT),  # custom components (bot/components) and channels
    }


def train(force: bool = False) -> Path:
    settings = get_settings()
    generated = settings.var_dir / "nlu" / settings.portal / "catalogue.yml"
    write(generate(), generated)
    # Models are keyed by content, so they live in the shared cache: a fresh clone on the
    # same machine reuses them (and Rasa's component cache) instead of training again.
    models = settings.cache_dir / "models"
    model = models / f"tongban-{settings.portal}-{training_hash(input_files(generated))}.tar.gz"
    if model.exists() and not force:
        print(f"model is up to date: {model}", file=sys.stderr)
        return model
    command = [
        str(RASA), "train",
        "--config", "config.yml", "--domain", "domain.yml",
        "--data", "nlu_data", str(generated), "bot/stories", "bot/rules",
        "--out", str(models), "--fixed-model-name", model.name.removesuffix(".tar.gz"),
    ]
    print(f"training {model.name} …", file=sys.stderr)
    subprocess.run(command, cwd=ROOT, env=rasa_env(settings), check=True)
    return model


if __name__ == "__main__":
    print(train(force="--force" in sys.argv))
