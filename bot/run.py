"""Start Tongban on one machine: the portal service, the action server and the Rasa
server, then say where.

    python -m bot.run [--model PATH]

Runs until Ctrl-C, then stops them. Ports: Rasa 5005 (its default), actions 5055,
portal 8088. Secrets come from the environment; when unset, a set is made once and kept
in var/secrets.env (mode 600) for this machine's embedded default. Conversations live in
Rasa's memory, or with TRACKER_STORE=redis in Redis (bot/stores.py: checked before
anything starts). `start_actions` and `start_rasa` start one more of each (README,
"Running many instances").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot import stores
from bot.train import train
from settings import ROOT, Settings, get_settings

RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTIONS_PORT = int(os.environ.get("ACTIONS_PORT", "5055"))
PORTAL_PORT = 8088
STARTUP_SECONDS = 240


def wait_until_up(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode}; see its log above")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{name} did not come up within {STARTUP_SECONDS} s")


def secrets_env(var_dir: Path) -> dict[str, str]:
    names = ("PORTAL_DATA_KEY", "PORTAL_SERVICE_TOKEN", "PORTAL_STAFF_TOKEN")
    if all(os.environ.get(n) for n in names):
        return {}
    path = var_dir / "secrets.env"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "portal.keys"], cwd=ROOT, capture_output=True, text=True, check=True)
        path.write_text(made.stdout, encoding="utf-8")
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").split())


def service_env(actions_port: int = ACTIONS_PORT, rasa_port: int = RASA_PORT, **env_overrides: str) -> dict[str, str]:
    """The environment every Tongban process of one deployment shares."""
    env = {
        **os.environ,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),  # Rasa imports Tongban's channels (channels/)
        "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}",
        **env_overrides,
    }
    env.update(secrets_env(Path(env.get("TONGBAN_VAR") or ROOT / "var")))
    return env


def start_portal(env: dict[str, str]) -> subprocess.Popen:
    portal = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "portal"], cwd=ROOT, env=env)
    wait_until_up(f"{env['PORTAL_URL']}/health", portal, "portal service")
    return portal


def start_actions(env: dict[str, str], port: int) -> subprocess.Popen:
    """An action server on `port`; it exits at once, naming `make index`, without an index.

    One OpenMP thread (faiss, the e5 engine) unless OMP_NUM_THREADS says otherwise: a
    query over a portal's catalogue is too small to share, and on a busy machine spinning
    OpenMP threads made each search ~6x slower (p50 198 → 34 ms); scale with processes.
    """
    actions = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env={"OMP_NUM_THREADS": "1", **env},
    )
    wait_until_up(f"http://127.0.0.1:{port}/health", actions, "action server")
    return actions


def start_rasa(env: dict[str, str], model: Path, port: int, actions_port: int) -> subprocess.Popen:
    """A Rasa server on `port` calling the action server on `actions_port`, with the
    tracker and lock stores of TRACKER_STORE (bot/stores.py)."""
    settings = Settings.from_environ(env)
    stores.check(settings)
    env = {**env, **stores.rasa_env(settings), "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook"}
    rasa = subprocess.Popen(
        [
            str(ROOT / ".venv-rasa" / "bin" / "rasa"), "run",
            "--model", str(model),
            "--enable-api",
            "--credentials", "bot/credentials.yml",
            "--endpoints", str(stores.endpoints_file(settings)),
            "--port", str(port),
            # the web widget calls Rasa from the portal's pages (REST fallback, socket.io polling)
            "--cors", *settings.allowed_origins,
        ],
        cwd=ROOT,
        env=env,
    )
    wait_until_up(f"http://127.0.0.1:{port}/status", rasa, "Rasa server")
    return rasa


def start(model: Path, rasa_port: int = RASA_PORT, actions_port: int = ACTIONS_PORT, **env_overrides: str) -> list[subprocess.Popen]:
    """Start the portal, the action server, Rasa, then the notifier (status changes pushed
    to applicants); return once the servers answer."""
    env = service_env(actions_port, rasa_port, **env_overrides)
    stores.check(Settings.from_environ(env))  # before anything starts
    portal = start_portal(env)
    actions = start_actions(env, actions_port)
    rasa = start_rasa(env, model, rasa_port, actions_port)
    notifier = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.notifier"], cwd=ROOT, env=env)
    return [portal, actions, rasa, notifier]


def stop(processes: list[subprocess.Popen]) -> None:
    # SIGTERM, not SIGINT: a launcher started in the background (no job control) passes
    # SIGINT on ignored, and Sanic's and aiohttp's servers shut down cleanly on either.
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="a trained model (default: train if the data changed)")
    args = parser.parse_args(argv)
    stores.check(get_settings())  # Redis down: say so before training or starting anything
    processes = start(args.model or train())
    print(
        f"\nTongban is up.\n"
        f"  REST:    curl -XPOST http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook "
        f"-d '{{\"sender\":\"me\",\"message\":\"孩子刚出生怎么上户口\"}}'\n"
        f"  Actions: http://127.0.0.1:{ACTIONS_PORT}/health\n"
        f"  Portal:  http://127.0.0.1:{PORTAL_PORT}/openapi.json (departments: /staff)\n"
        f"  Web chat widget demo: http://127.0.0.1:{PORTAL_PORT}/\n"
        f"Ctrl-C stops it.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
