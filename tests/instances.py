"""Many Tongban servers on one machine (tests/test_scale.py, tests/test_faults.py): one
portal, two action servers and two Rasa servers sharing trackers and locks in the
machine's Redis, in a Redis DB of their own under a key prefix of this run (removed after)."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis

from bot.run import service_env, start_actions, start_portal, start_rasa, stop
from tests.chat import PORT_BASE, RASA_TOKEN

RASA_PORTS = (PORT_BASE + 105, PORT_BASE + 106)
ACTIONS_PORTS = (PORT_BASE + 155, PORT_BASE + 156)
PORTAL_PORT = PORT_BASE + 188
SPARE_RASA_PORT = PORT_BASE + 107  # a Rasa server of its own (tests/test_faults.py)
PRIVATE_REDIS_PORT = PORT_BASE + 179  # a redis-server of its own, to stop mid-run
REDIS_DB = 14  # the machine's Redis: this DB, under this run's prefix, is all the tests touch


@dataclass
class Deployment:
    env: dict[str, str]
    model: Path
    portal: subprocess.Popen
    actions: list[subprocess.Popen]
    rasa: list[subprocess.Popen]
    extra: list[subprocess.Popen] = field(default_factory=list)

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
        self.actions[i] = start_actions(self.env, ACTIONS_PORTS[i])

    def all(self) -> list[subprocess.Popen]:
        return [*self.rasa, *self.extra, *self.actions, self.portal]


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


def tracker(port: int, sender: str) -> dict:
    url = f"http://127.0.0.1:{port}/conversations/{sender}/tracker?include_events=APPLIED&token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def start_many(model: Path, var_dir: Path) -> Deployment:
    env = service_env(
        ACTIONS_PORTS[0],
        RASA_PORTS[0],
        PORTAL="shandong",
        PORTAL_URL=f"http://127.0.0.1:{PORTAL_PORT}",
        TONGBAN_VAR=str(var_dir),
        RASA_TOKEN=RASA_TOKEN,
        TRACKER_STORE="redis",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        REDIS_KEY_PREFIX=f"tbtest{uuid.uuid4().hex[:8]}",
    )
    started: list[subprocess.Popen] = [start_portal(env)]
    try:
        started += [start_actions(env, port) for port in ACTIONS_PORTS]
        with ThreadPoolExecutor(2) as pool:  # Rasa takes ~45 s to come up: both at once
            futures = [pool.submit(start_rasa, env, model, RASA_PORTS[i], ACTIONS_PORTS[i]) for i in range(2)]
        for future in futures:
            if future.exception() is None:
                started.append(future.result())
        for future in futures:
            future.result()  # raises the first failure
    except BaseException:
        stop(started)
        raise
    return Deployment(env, model, started[0], started[1:3], started[3:5])


def stop_many(deployment: Deployment) -> None:
    stop(deployment.all())
    store = deployment.redis
    keys = list(store.scan_iter(match=f"{deployment.key_prefix}:*"))
    if keys:
        store.delete(*keys)
