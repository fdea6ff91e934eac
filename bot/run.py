"""Start Tongban on one machine: the portal service, the action server and the Rasa
server, then say where.

    python -m bot.run [--model PATH]

While Rasa loads its model, it builds or checks the indexes and the dashboard's sample
(bot/prepare.py) and then starts the action server that reads them: what `make run`
needs before the first answer, side by side (README, "Cost per message": cold start).
Runs until Ctrl-C, then stops them. Ports: Rasa 5005 (its default; RASA_PORT), actions
5055 (ACTIONS_PORT), portal 8088 (PORTAL_URL), agent assist 8090 (ASSIST_URL), the
notifier's /health and /metrics 5056 (NOTIFIER_PORT). Secrets come
from the environment; those unset are made once and kept in var/secrets.env (mode 600)
for this machine's embedded default. Conversations live in Rasa's memory, or with
TRACKER_STORE=redis in Redis (bot/stores.py: checked before anything starts).
`start_actions` and `start_rasa` start one more of each (README, "Running many instances").
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

from analytics import broker as analytics_broker
from bot import stores
from bot.train import train
from portal.keys import NAMES as SECRET_NAMES
from portal.keys import new_secret
from settings import ROOT, Settings, get_settings

RASA_PORT = get_settings().rasa_port
ACTIONS_PORT = get_settings().actions_port
STARTUP_SECONDS = 480  # ~20 s on a quiet machine; minutes when other work shares the cores


def wait_until_up(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{name} did not come up within {STARTUP_SECONDS} s")


def secrets_env(var_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """The secrets `env` lacks, from var/secrets.env; those it lacks too are made and added."""
    missing = [n for n in SECRET_NAMES if not env.get(n)]
    if not missing:
        return {}
    path = var_dir / "secrets.env"
    kept = dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").split()) if path.exists() else {}
    if any(n not in kept for n in missing):
        kept.update({n: new_secret(n) for n in missing if n not in kept})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text("".join(f"{n}={v}\n" for n, v in kept.items()), encoding="utf-8")
    return {n: kept[n] for n in missing}


def service_env(actions_port: int = ACTIONS_PORT, rasa_port: int = RASA_PORT, **env_overrides: str) -> dict[str, str]:
    """The environment every Tongban process of one deployment shares."""
    env = {
        **os.environ,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_TELEMETRY_ENABLED": "false",
        # OpenMP threads (the e5 engine, faiss) that spin while they wait starve each other
        # on a busy 2-core machine; passive waiting cut /api/assist p95 from ~1.5 s to ~0.2 s.
        "OMP_WAIT_POLICY": "PASSIVE",
        "PYTHONPATH": str(ROOT),  # Rasa imports Tongban's channels (channels/)
        "PORTAL_URL": get_settings().portal_url,
        "ASSIST_URL": get_settings().assist_url,
        **env_overrides,
    }
    env.update(secrets_env(Path(env.get("TONGBAN_VAR") or ROOT / "var"), env))
    return env


def launch(command: list[str], env: dict[str, str], log_dir: Path | None, name: str) -> subprocess.Popen:
    """Start one process; with `log_dir`, its stdout and stderr go to `log_dir/NAME.log`."""
    if log_dir is None:
        return subprocess.Popen(command, cwd=ROOT, env=env)
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{name}.log", "ab") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_portal(env: dict[str, str], log_dir: Path | None = None) -> subprocess.Popen:
    portal = launch([str(ROOT / ".venv" / "bin" / "python"), "-m", "portal"], env, log_dir, "portal")
    wait_until_up(f"{env['PORTAL_URL']}/health", portal, "portal service")
    return portal


def start_actions(env: dict[str, str], port: int, log_dir: Path | None = None, wait: bool = True) -> subprocess.Popen:
    """An action server on `port`; it exits at once, naming `make index`, without an index.

    One OpenMP thread (faiss, the e5 engine) unless OMP_NUM_THREADS says otherwise: a
    query over a portal's catalogue is too small to share, and on a busy machine spinning
    OpenMP threads made each search ~6x slower (p50 198 → 34 ms); scale with processes.
    """
    actions = launch(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.server", "--port", str(port)],
        {"OMP_NUM_THREADS": "1", **env},
        log_dir,
        "actions",
    )
    if wait:
        wait_until_up(f"http://127.0.0.1:{port}/health", actions, "action server")
    return actions


def start_rasa(
    env: dict[str, str], model: Path, port: int, actions_port: int, log_dir: Path | None = None, wait: bool = True
) -> subprocess.Popen:
    """A Rasa server on `port` calling the action server on `actions_port`, with the
    tracker and lock stores of TRACKER_STORE (bot/stores.py) or RASA_ENDPOINTS."""
    settings = Settings.from_environ(env)
    stores.check(settings)
    env = {
        # TensorFlow runs DIET's small graph per message: one thread each, like OpenMP in the
        # action server — more only contend for the cores with other requests and processes.
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
        **env,
        **stores.rasa_env(settings),
        **analytics_broker.rasa_env(settings),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
    }
    # Conversation insight: Rasa's event broker feeds the analytics store (analytics/broker.py).
    endpoints = analytics_broker.with_event_broker(stores.endpoints_file(settings), settings)
    rasa = launch(
        [
            str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "bot.serve",
            "--model", str(model),
            "--enable-api",
            "--credentials", "bot/credentials.yml",
            "--endpoints", str(endpoints),
            "--port", str(port),
            # the web widget calls Rasa from the portal's pages (REST fallback, socket.io polling)
            "--cors", *settings.allowed_origins,
        ],
        env,
        log_dir,
        "rasa",
    )
    if wait:
        wait_until_up(f"http://127.0.0.1:{port}/health", rasa, "Rasa server")  # channels/metrics.py
    return rasa


def start(
    model: Path,
    rasa_port: int = RASA_PORT,
    actions_port: int = ACTIONS_PORT,
    log_dir: Path | None = None,
    endpoints: str | None = None,
    notifier_port: int | None = None,
    prepare: bool = False,
    **env_overrides: str,
) -> list[subprocess.Popen]:
    """Start the portal, the agent-assist service, the action server, Rasa, then the
    notifier (status changes pushed to applicants); return once they answer. `log_dir`:
    each process's output in a file there instead of this terminal; `endpoints`: Rasa's
    endpoints file (stores), instead of TRACKER_STORE's; `prepare`: run bot.prepare while
    Rasa loads, before the action server starts."""
    notifier_port = notifier_port or get_settings().notifier_port
    extra = {"RASA_ENDPOINTS": endpoints} if endpoints else {}
    env = service_env(actions_port, rasa_port, NOTIFIER_PORT=str(notifier_port), **extra, **env_overrides)
    stores.check(Settings.from_environ(env))  # before anything starts
    started: list[subprocess.Popen] = []
    try:  # a process that fails to come up stops those already started
        # The chat path first, at once: Rasa (TensorFlow) and the action server (index,
        # embedders) load side by side; agent assist, which trains its classifier for
        # minutes on a busy machine, only once they answer, not competing for the cores.
        # `started` lists them portal first (tests restart it as processes[0]).
        rasa = start_rasa(env, model, rasa_port, actions_port, log_dir, wait=False)
        started.append(rasa)
        if prepare and subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.prepare"], env=env).returncode:
            raise SystemExit("Tongban cannot start: building the indexes failed (see above)")
        actions = start_actions(env, actions_port, log_dir, wait=False)
        started.insert(0, actions)
        started.insert(0, start_portal(env, log_dir))
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, "action server")
        wait_until_up(f"http://127.0.0.1:{rasa_port}/health", rasa, "Rasa server")
        assist = launch([str(ROOT / ".venv" / "bin" / "python"), "-m", "assist"], env, log_dir, "assist")
        started.insert(1, assist)
        wait_until_up(f"{env['ASSIST_URL']}/health", assist, "agent-assist service")
        started.append(launch([str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.notifier"], env, log_dir, "notifier"))
        wait_until_up(f"http://127.0.0.1:{notifier_port}/health", started[-1], "notifier")
        started += start_analytics(env, log_dir)
    except BaseException:
        stop(started)
        raise
    return started


def start_analytics(env: dict[str, str], log_dir: Path | None = None) -> list[subprocess.Popen]:
    """The dashboard and ticket pages; with ANALYTICS_BROKER=pika, the RabbitMQ consumer first."""
    started = []
    python = str(ROOT / ".venv" / "bin" / "python")
    if Settings.from_environ(env).analytics_broker == "pika":
        started.append(launch([python, "-m", "analytics.consumer"], env, log_dir, "analytics-consumer"))
    started.append(launch([python, "-m", "analytics"], env, log_dir, "analytics"))
    wait_until_up(f"{Settings.from_environ(env).analytics_url}/health", started[-1], "analytics service")
    return started


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


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="a trained model (default: train if the data changed)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)  # `kill` stops the children too, like Ctrl-C
    stores.check(get_settings())  # Redis down: say so before training or starting anything
    processes = start(args.model or train(), prepare=True)
    settings = get_settings()
    print(
        f"\nTongban is up.\n"
        f"  REST:    curl -XPOST http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook "
        f"-d '{{\"sender\":\"me\",\"message\":\"孩子刚出生怎么上户口\"}}'\n"
        f"  Actions: http://127.0.0.1:{ACTIONS_PORT}/health\n"
        f"  Health and Prometheus metrics: /health and /metrics on Rasa, actions, portal, notifier (:{settings.notifier_port})\n"
        f"  Portal:  {settings.portal_url}/openapi.json (departments: /staff)\n"
        f"  Web chat widget demo: {settings.portal_url}/\n"
        f"  12345 agent console: {settings.assist_url}/ (work orders: /workorders; add an agent: python -m assist.agents add NAME)\n"
        f"  Service evaluation and insight: {settings.analytics_url}/ (差评 tickets: /tickets; PORTAL_STAFF_TOKEN)\n"
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
