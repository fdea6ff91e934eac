"""Checks that must run inside Rasa's own environment (.venv-rasa, Python 3.10): a script
run there with the project on its path; the test asserts on what it printed."""

from __future__ import annotations

import subprocess

from settings import ROOT


def run_in_rasa(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", script, *args], cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True, text=True, timeout=timeout,
    )
