"""Many Tongban servers (tests/test_scale.py, tests/test_faults.py) as two "hosts" that
share nothing on disk: each has its own TONGBAN_VAR folder (index, logs) and ports, and
runs an action server, a Rasa server and a notifier; they share only the machine's Redis
(trackers, locks, vault, WeChat's retry filter, rate limits, socket.io: a Redis DB of
their own under a key prefix of this run) and PostgreSQL (the outbox and handoff queue,
and the portal's own database: a database of this run). The portal stands for the
province's service, a third host. All removed afterwards."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import redis

from bot.run import launch, service_env, start_actions, start_portal, start_rasa, stop, wait_until_up
from portal.keys import NAMES as SECRET_NAMES
from portal.keys import new_secret
from settings import ROOT
from tests.chat import PORT_BASE, RASA_TOKEN, WECHAT_ENV

RASA_PORTS = (PORT_BASE + 105, PORT_BASE + 106)
ACTIONS_PORTS = (PORT_BASE + 155, PORT_BASE + 156)
PORTAL_PORT = PORT_BASE + 188
SPARE_RASA_PORT = PORT_BASE + 107  # a Rasa server of its own (tests/test_faults.py)
NOTIFIER_PORTS = (PORT_BASE + 157, PORT_BASE + 158)
WECHAT_API_PORT = PORT_BASE + 162  # the fake WeChat API (tests/test_wechat.py's) both hosts call
PRIVATE_REDIS_PORT = PORT_BASE + 179  # a redis-server of its own, to stop mid-run
REDIS_DB = 14  # the machine's Redis: this DB, under this run's prefix, is all the tests touch
PG = "postgresql://postgres@127.0.0.1:5432"


@dataclass
class Deployment:
    envs: list[dict[str, str]]  # one per host
    model: Path
    portal: subprocess.Popen
    actions: list[subprocess.Popen]
    rasa: list[subprocess.Popen]
    notifiers: list[subprocess.Popen]
    database: str
    extra: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return self.envs[0]

    def pg(self) -> psycopg.Connection:
        return psycopg.connect(f"{PG}/{self.database}", autocommit=True)

    @property
    def redis(self) -> redis.Redis:
        return redis.Redis(port=6379, db=REDIS_DB, decode_responses=True)

    @property
    def key_prefix(self) -> str:
        return self.env["REDIS_KEY_PREFIX"]

    def crash_actions(self, i: int) -> None:
        """Kill action server `i` outright: its main process and Sanic's worker processes."""
        kill_tree(self.actions[i])

    def restart_actions(self, i: int) -> None:
        stop([self.actions[i]])
        self.actions[i] = start_actions(self.envs[i], ACTIONS_PORTS[i])

    def kill_host(self, i: int) -> None:
        """Host `i` dies: its Rasa server, action server and notifier, outright."""
        for process in (self.rasa[i], self.actions[i], self.notifiers[i]):
            if process.poll() is None:
                kill_tree(process)

    def all(self) -> list[subprocess.Popen]:
        return [*self.rasa, *self.extra, *self.notifiers, *self.actions, self.portal]


def kill_tree(process: subprocess.Popen) -> None:
    parent = psutil.Process(process.pid)
    tree = [*parent.children(recursive=True), parent]
    for member in tree:
        member.kill()
    psutil.wait_procs(tree, timeout=10)
    process.wait()


def say_to(port: int, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.load(response)


def onto_item(port: int, sender: str, messages: list[dict], title: str) -> None:
    """Bring the conversation onto the item named `title`: click its choice when the bot
    offered several; an answer about it alone needs nothing more."""
    buttons = [b for m in messages for b in m.get("buttons", []) if title in b["title"]]
    if buttons:
        say_to(port, sender, buttons[0]["payload"])
        return
    named = [i["name"] for m in messages for i in (m.get("custom") or {}).get("items", [])]
    assert len(named) == 1 and title in named[0], f"neither a choice nor the answer {title!r}: {messages}"


def tracker(port: int, sender: str) -> dict:
    url = f"http://127.0.0.1:{port}/conversations/{sender}/tracker?include_events=APPLIED&token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def host_var(var_dir: Path, i: int) -> Path:
    return var_dir / f"host-{'ab'[i]}"


def start_many(model: Path, var_dir: Path) -> Deployment:
    """The portal, then both hosts; each host's folder must hold its index (make index)."""
    database = f"tongban_hosts_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    shared = {
        "PORTAL": "shandong",
        "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}",
        "PORTAL_DB_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "QUEUE_DB_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "TRACKER_STORE": "redis",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "REDIS_KEY_PREFIX": f"tbtest{uuid.uuid4().hex[:8]}",
        **{name: new_secret(name) for name in SECRET_NAMES},  # one deployment's secrets, given to every host
        "RASA_TOKEN": RASA_TOKEN,
        **WECHAT_ENV,
        "WECHAT_API_BASE": f"http://127.0.0.1:{WECHAT_API_PORT}",
    }
    envs = [
        service_env(ACTIONS_PORTS[i], RASA_PORTS[i], TONGBAN_VAR=str(host_var(var_dir, i)), NOTIFIER_PORT=str(NOTIFIER_PORTS[i]), **shared)
        for i in range(2)
    ]
    started: list[subprocess.Popen] = [start_portal(service_env(TONGBAN_VAR=str(var_dir / "portal"), **shared))]
    try:
        actions = [start_actions(env, port, wait=False) for env, port in zip(envs, ACTIONS_PORTS)]
        rasa = [start_rasa(envs[i], model, RASA_PORTS[i], ACTIONS_PORTS[i], wait=False) for i in range(2)]
        started += actions + rasa
        for i in range(2):
            wait_until_up(f"http://127.0.0.1:{ACTIONS_PORTS[i]}/health", actions[i], "action server")
            wait_until_up(f"http://127.0.0.1:{RASA_PORTS[i]}/health", rasa[i], "Rasa server")
        notifiers = [launch([str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.notifier"], env, None, "notifier") for env in envs]
        started += notifiers
        for port, notifier in zip(NOTIFIER_PORTS, notifiers):
            wait_until_up(f"http://127.0.0.1:{port}/health", notifier, "notifier")
    except BaseException:
        stop(started)
        drop_database(database)
        raise
    return Deployment(envs, model, started[0], actions, rasa, notifiers, database)


def drop_database(database: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def stop_many(deployment: Deployment) -> None:
    stop(deployment.all())
    drop_database(deployment.database)
    store = deployment.redis
    keys = list(store.scan_iter(match=f"{deployment.key_prefix}:*"))
    if keys:
        store.delete(*keys)
