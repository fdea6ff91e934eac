"""Load test: simulated citizens talking to Tongban through the REST channel, beside a
plain Rasa bot (bench/plain_bot) measured the same way in the same run.

Each citizen (an asyncio task) holds one conversation after another, with a think time
before each message (bench/load_mix.yml): questions about catalogue items with
follow-ups, small talk, and a residence-permit application filled in and submitted.
Errors: HTTP failures and timeouts, an empty reply (silence), the "busy" reply
(channels/failures.py), and a reply to a form step that lacks what it must say. The
driver (`drive`) takes several Rasa URLs and sends each message to the next one, as a
load balancer without sticky sessions would (tests/test_scale.py uses that).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import aiohttp
import numpy as np
import psutil
import redis
import yaml
from stdnum.cn import ric

from bot.run import start, stop, wait_until_up
from bot.train import RASA, rasa_env, training_hash
from catalogue.store import load_catalogue
from channels.failures import BUSY
from retrieval.service import ensure_index
from settings import ROOT, get_settings

MIX = yaml.safe_load((ROOT / "bench" / "load_mix.yml").read_text(encoding="utf-8"))
PLAIN_BOT = ROOT / "bench" / "plain_bot"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
FULL_USERS, FULL_SECONDS = 50, 60.0
QUICK_USERS, QUICK_SECONDS = 10, 10.0

Step = dict[str, str]  # say and kind (what the table of slow messages groups by), optionally expect / click


@dataclass
class Result:
    system: str
    users: int
    seconds: float = 0.0
    answered: list[tuple[str, float]] = field(default_factory=list)  # (kind of message, seconds) per answered message
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # error → the first reply that made it

    @property
    def latencies(self) -> list[float]:
        return [seconds for _, seconds in self.answered]

    @property
    def by_kind(self) -> dict[str, list[float]]:
        kinds: dict[str, list[float]] = {}
        for kind, seconds in self.answered:
            kinds.setdefault(kind, []).append(seconds)
        return kinds

    @property
    def messages(self) -> int:
        return len(self.answered) + sum(self.errors.values())


# ---- what citizens say ------------------------------------------------------------------


# Birth dates and sequence numbers of the ID numbers new_applicant makes, in this order.
ID_PARTS = (range(1988, 2003), range(1, 13), range(1, 29), range(100, 1000))
_next_applicant = itertools.count(random.randrange(np.prod([len(part) for part in ID_PARTS])))


def new_applicant(rng: random.Random) -> tuple[str, str]:
    """A valid ID number and a mobile number (370102, 历下区, exists for births from 1988 on),
    each ID number new in this run: an applicant met before has a profile, which fills
    the form and skips its questions."""
    n, digits = next(_next_applicant), []
    for part in reversed(ID_PARTS):  # the run's n-th combination of year, month, day, sequence
        n, position = divmod(n, len(part))
        digits.insert(0, f"{part[position]:02d}")
    body = "370102" + "".join(digits)
    return body + ric.calc_check_digit(body + "0"), f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}"


def tongban_conversations(item_names: list[str]) -> Callable[[random.Random], list[Step]]:
    mix = MIX["tongban"]
    kinds, weights = zip(*mix["mix"].items())

    def conversation(rng: random.Random) -> list[Step]:
        kind = rng.choices(kinds, weights)[0]
        if kind == "small_talk":
            return [{"say": text, "kind": "small talk"} for text in rng.sample(mix["small_talk"], 2)]
        if kind == "form":
            id_number, phone = new_applicant(rng)
            return [
                {**step, "say": step["say"].format(id_number=id_number, phone=phone), "kind": f"form: {step['say']}"}
                for step in mix["form"]
            ]
        question = rng.choice(mix["ask"]).format(name=rng.choice(item_names))
        follow_ups = rng.sample(mix["follow_ups"], rng.randint(0, mix["max_follow_ups"]))
        return [{"say": question, "kind": "question: first"}] + [{"say": text, "kind": f"question: {text}"} for text in follow_ups]

    return conversation


def plain_conversations() -> Callable[[random.Random], list[Step]]:
    nlu = yaml.safe_load((PLAIN_BOT / "data" / "nlu.yml").read_text(encoding="utf-8"))["nlu"]
    examples = [line.removeprefix("- ").strip() for block in nlu for line in block["examples"].splitlines() if line.strip()]
    return lambda rng: [{"say": text, "kind": "plain"} for text in rng.sample(examples, MIX["plain"]["messages_per_conversation"])]


# ---- the driver -------------------------------------------------------------------------


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str, kind: str, result: Result) -> list[dict] | None:
    """One message; its latency, or the error it met (None)."""
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            if response.status != 200:
                result.errors[f"HTTP {response.status}"] += 1
                return None
            messages = await response.json(content_type=None)
    except asyncio.TimeoutError:
        result.errors["timeout"] += 1
        return None
    except aiohttp.ClientError as exc:
        result.errors[f"connection: {type(exc).__name__}"] += 1
        return None
    texts = [m.get("text") or "" for m in messages] if isinstance(messages, list) else []
    if not messages:
        result.errors["no reply (silence)"] += 1
        return None
    if BUSY in texts:
        result.errors["busy reply"] += 1
        return None
    result.answered.append((kind, time.perf_counter() - started))
    return messages


async def _citizen(
    n: int, session: aiohttp.ClientSession, urls: list[str], conversation: Callable[[random.Random], list[Step]],
    deadline: float, think: tuple[float, float], result: Result, counter: list[int],
) -> None:
    rng = random.Random(f"{n}-{time.time_ns()}")  # new applicants each run: no profile prefills the form
    while time.monotonic() < deadline:
        sender = f"load-{n}-{rng.getrandbits(32):08x}"
        for step in conversation(rng):
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= deadline:
                return
            url = urls[counter[0] % len(urls)]
            counter[0] += 1
            messages = await _send(session, url, sender, step["say"], step["kind"], result)
            if messages is None:
                break  # the conversation cannot go on; the citizen starts another
            reply = "\n".join(m.get("text") or "" for m in messages)
            if "expect" in step and step["expect"] not in reply:
                error = f"reply to {step['say'][:12]!r} lacks {step['expect']!r}"
                result.errors[error] += 1
                result.examples.setdefault(error, reply.strip()[:80])
                break
            buttons = [b for m in messages for b in m.get("buttons") or [] if step.get("click", "\0") in b.get("title", "")]
            if buttons:  # several items fit: the citizen picks the one meant
                url = urls[counter[0] % len(urls)]
                counter[0] += 1
                if await _send(session, url, sender, buttons[0]["payload"], "choice clicked", result) is None:
                    break


async def drive(
    urls: list[str], conversation: Callable[[random.Random], list[Step]], users: int, seconds: float,
    think: tuple[float, float] | None = None, system: str = "",
) -> Result:
    """`users` citizens talking for `seconds` to the REST webhooks at `urls` (round robin)."""
    result = Result(system, users)
    think = think or tuple(MIX["think_seconds"])  # type: ignore[assignment]
    counter = [0]
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT, connector=connector) as session:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_citizen(n, session, urls, conversation, deadline, think, result, counter) for n in range(users)))
        result.seconds = time.monotonic() - started
    return result


# ---- the systems measured ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain_model() -> Path:
    """The plain bot's model, trained once per content (like bot/train.py)."""
    settings = get_settings()
    files = [p for p in PLAIN_BOT.rglob("*") if p.is_file()]
    model = settings.cache_dir / "models" / f"plain-baseline-{training_hash(files)}.tar.gz"
    if not model.exists():
        print(f"training the plain baseline bot {model.name} …", flush=True)
        subprocess.run(
            [str(RASA), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
             "--out", str(model.parent), "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            cwd=PLAIN_BOT, env=rasa_env(settings), check=True, stdout=subprocess.DEVNULL,
        )
    return model


def start_plain(port: int) -> subprocess.Popen:
    rasa = subprocess.Popen(
        [str(RASA), "run", "--model", str(plain_model()), "--enable-api", "--credentials", "credentials.yml", "--port", str(port)],
        cwd=PLAIN_BOT, env=rasa_env(get_settings()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/status", rasa, "plain Rasa bot")
    return rasa


BENCH_REDIS_DB = 12  # --rasa-servers > 1: a Redis DB and key prefix of this run, emptied afterwards


def start_tongban(rasa_port: int, servers: int = 1) -> tuple[list[subprocess.Popen], list[str], dict[str, str]]:
    """Tongban with a var folder of its own (index, portal DB): on its embedded defaults, or
    with `servers` Rasa servers (each with an action server) sharing Redis. Returns the
    processes, the Rasa REST webhooks and the environment."""
    from bot.run import start_actions, start_rasa
    from bot.train import train

    settings = get_settings()
    bench_settings = replace(settings, var_dir=settings.var_dir / "bench" / "load")
    ensure_index(load_catalogue(bench_settings), bench_settings)
    for leftover in bench_settings.var_dir.glob("portal.sqlite*"):  # no applicant's profile from earlier runs
        leftover.unlink()
    shared = {}
    if servers > 1:
        shared = {"TRACKER_STORE": "redis", "REDIS_URL": f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}",
                  "REDIS_KEY_PREFIX": f"tbbench{uuid.uuid4().hex[:8]}"}
    model = train()
    processes = start(
        model, rasa_port, free_port(), notifier_port=free_port(), TONGBAN_VAR=str(bench_settings.var_dir),
        PORTAL_URL=f"http://127.0.0.1:{free_port()}", ASSIST_URL=f"http://127.0.0.1:{free_port()}", **shared,
    )
    env = psutil.Process(processes[0].pid).environ()  # what start() gave every process
    ports = [rasa_port]
    try:
        for _ in range(servers - 1):
            actions_port, port = free_port(), free_port()
            processes.append(start_actions(env, actions_port))
            processes.append(start_rasa(env, model, port, actions_port))
            ports.append(port)
    except BaseException:
        stop(processes)
        raise
    return processes, [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in ports], env


def forget_shared(env: dict[str, str]) -> None:
    if env.get("TRACKER_STORE") == "redis":
        store = redis.Redis.from_url(env["REDIS_URL"])
        if keys := list(store.scan_iter(match=f"{env['REDIS_KEY_PREFIX']}:*")):
            store.delete(*keys)


def measure(name: str, processes: list[subprocess.Popen], urls: list[str], conversation: Any, users: int, seconds: float) -> Result:
    try:
        asyncio.run(drive(urls, conversation, 1, 3.0, think=(0.0, 0.0)))  # warm-up
        return asyncio.run(drive(urls, conversation, users, seconds, system=name))
    finally:
        stop(processes)


def table(results: list[Result], think: list[float]) -> str:
    lines = [
        f"REST channel; think time {think[0]:g}-{think[1]:g} s before each message; "
        f"Tongban mix {MIX['tongban']['mix']} (form = a residence permit applied for in full)",
        f"{'system':<16}{'users':>6}{'seconds':>9}{'messages':>10}{'errors':>8}{'msg/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}",
    ]
    for r in results:
        latencies = r.latencies
        p50, p95, p99 = (np.percentile(latencies, [50, 95, 99]) * 1000) if latencies else (float("nan"),) * 3
        lines.append(
            f"{r.system:<16}{r.users:>6}{r.seconds:>9.0f}{r.messages:>10}{sum(r.errors.values()):>8}"
            f"{r.messages / r.seconds if r.seconds else 0:>8.1f}{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}"
        )
    for r in results:
        by_kind = r.by_kind
        if len(by_kind) > 1:  # where the slow messages are
            lines.append(f"{r.system} by kind of message{'':<20}{'messages':>10}{'p50 ms':>8}{'p95 ms':>8}")
            for kind, latencies in sorted(by_kind.items(), key=lambda pair: -np.percentile(pair[1], 95)):
                p50, p95 = np.percentile(latencies, [50, 95]) * 1000
                lines.append(f"  {kind:<42}{len(latencies):>10}{p50:>8.0f}{p95:>8.0f}")
    for r in results:
        for error, count in r.errors.most_common():
            example = f" (e.g. {r.examples[error]!r})" if error in r.examples else ""
            lines.append(f"  {r.system}: {count} × {error}{example}")
    return "\n".join(lines)


def run(args) -> bool:
    users, seconds = (QUICK_USERS, QUICK_SECONDS) if args.quick else (FULL_USERS, FULL_SECONDS)
    users, seconds = args.users or users, args.seconds or seconds
    print(f"load: {users} simulated citizens for {seconds:.0f} s each, Tongban then a plain Rasa bot, one at a time", flush=True)
    tongban_port, plain_port = free_port(), free_port()
    names = sorted({item.name for item in load_catalogue().items.values()})
    servers = getattr(args, "rasa_servers", 1) or 1
    processes, urls, env = start_tongban(tongban_port, servers)
    try:
        name = "tongban" if servers == 1 else f"tongban ×{servers}"
        tongban = measure(name, processes, urls, tongban_conversations(names), users, seconds)
    finally:
        forget_shared(env)
    plain = measure(
        "plain rasa", [start_plain(plain_port)], [f"http://127.0.0.1:{plain_port}/webhooks/rest/webhook"],
        plain_conversations(), users, seconds,
    )
    print(table([tongban, plain], MIX["think_seconds"]))
    ok = not tongban.errors
    print(f"{'PASS' if ok else 'FAIL'}  zero errors from Tongban ({sum(tongban.errors.values())} of {tongban.messages} messages)")
    return ok
