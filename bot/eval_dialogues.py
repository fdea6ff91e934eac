"""Multi-turn evaluation through the running bot's REST channel.

    python -m bot.eval_dialogues DIALOGUES.jsonl [--url http://127.0.0.1:5005] [--misses]

Each dialogue (`{"id", "turns": [{"say", "expect"}]}`, ../shared/README.md) is one fresh
conversation. A turn is right, by `expect.kind`:
- `item`: a gold item is among the items the reply offers (`custom.items`); when the
  reply is a choice list holding it, its button is clicked, as a citizen would, and the
  reply to the click must be about exactly that item;
- `field`: the reply is about exactly the gold item and answers that field;
- `choose`: the user picks from offered choices in words; the reply is about exactly gold;
- `none`: the reply offers no item and says nothing was found, or offers 12345 / a human;
- `theme` (our Shandong dialogues): the reply presents the gold theme service;
- `apply`: the reply starts the gold guided application.
`field_in_context` is the accuracy of field turns whose conversation was on the gold item
when they were asked. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.eval import ask

KINDS = ("item", "field", "choose", "none", "theme", "apply")
# The dialogue files say "place"; the bot's field is "location".
FIELD_NAMES = {"place": "location"}
NOT_FOUND_WORDS = ("没有找到", "没找到", "12345", "人工")


def custom_of(messages: list[dict]) -> list[dict]:
    return [m.get("custom") or {} for m in messages]


def items_of(messages: list[dict]) -> list[str]:
    return [item["code"] for c in custom_of(messages) for item in c.get("items", [])]


# A bot that does not say which field it answered (`custom.field`) is read by its words.
FIELD_WORDS = {
    "materials": "材料", "time_limit": "时限", "location": "办理地点", "phone": "电话", "fee": "收费",
    "online": "网上办理", "visits": "跑", "hours": "办公时间", "conditions": "受理条件",
    "proxy": "代办", "remote": "异地", "mail": "邮寄", "expedite": "加急",
}


def fields_of(messages: list[dict]) -> set[str]:
    said = {c["field"] for c in custom_of(messages) if c.get("field")}
    if said or any(c.get("themes") for c in custom_of(messages)):
        return said
    text = text_of(messages)
    if "办理部门：" in text:  # the item's summary card, not an answer to one field
        return set()
    return {name for name, word in FIELD_WORDS.items() if word in text}


def themes_of(messages: list[dict]) -> list[str]:
    return [theme["id"] for c in custom_of(messages) for theme in c.get("themes", [])]


def forms_of(messages: list[dict]) -> list[str]:
    return [c["form"]["kind"] for c in custom_of(messages) if isinstance(c.get("form"), dict)]


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def click_payload(messages: list[dict], code: str) -> str | None:
    """The payload of the button that offers `code` in a choice list (the REST channel
    sends a reply's text and buttons and its `custom` payload as separate messages)."""
    codes = items_of(messages)
    buttons = [b for m in messages for b in m.get("buttons") or [] if b.get("payload", "").startswith("/choose_option")]
    if code in codes and len(codes) > 1 and len(buttons) >= len(codes):
        return buttons[codes.index(code)]["payload"]
    return None


@dataclass
class Conversation:
    url: str
    sender: str = field(default_factory=lambda: f"eval-{uuid.uuid4().hex[:12]}")
    latencies: list[float] = field(default_factory=list)
    on_item: str | None = None  # the one item the conversation is about, as the replies show

    def say(self, text: str) -> list[dict]:
        messages, ms = ask(self.url, self.sender, text)
        self.latencies.append(ms)
        codes = items_of(messages)
        if len(codes) == 1:
            self.on_item = codes[0]
        return messages


def judge(turn: dict[str, Any], chat: Conversation) -> tuple[bool, dict[str, Any]]:
    """Say one turn and judge the reply; returns (right, details)."""
    expect = turn["expect"]
    kind = expect["kind"]
    messages = chat.say(turn["say"])
    codes = items_of(messages)
    details: dict[str, Any] = {"codes": codes, "text": text_of(messages)[:80]}
    if kind == "item":
        gold = [g for g in expect["gold"] if g in codes]
        details["single"] = len(set(codes)) == 1
        if not gold:
            return False, details
        if len(set(codes)) == 1:
            return True, details
        payload = click_payload(messages, gold[0])
        if payload is None:  # listed among several but nothing to click: offered, not answered
            return True, details
        clicked = items_of(chat.say(payload))
        details["clicked"] = clicked
        return len(set(clicked)) == 1 and clicked[0] in expect["gold"], details
    if kind == "field":
        wanted = FIELD_NAMES.get(expect["field"], expect["field"])
        return set(codes) == {expect["gold"]} and wanted in fields_of(messages), details
    if kind == "choose":
        return set(codes) == {expect["gold"]}, details
    if kind == "none":
        return not codes and any(w in details["text"] for w in NOT_FOUND_WORDS), details
    if kind == "theme":
        return expect["gold"] in themes_of(messages), details
    if kind == "apply":
        return expect["gold"] in forms_of(messages), details
    raise ValueError(f"unknown turn kind {kind!r}; expected one of {KINDS}")


def read_dialogues(path: Path) -> list[dict[str, Any]]:
    dialogues = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                dialogues.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not JSON ({error})") from None
    return dialogues


def evaluate(dialogues: list[dict[str, Any]], url: str, misses: bool = False) -> dict[str, Any]:
    right_by_kind: dict[str, list[bool]] = {}
    in_context: list[bool] = []
    single: list[bool] = []
    successes, latencies = 0, []
    for dialogue in dialogues:
        chat = Conversation(url)
        all_right = True
        for number, turn in enumerate(dialogue["turns"], 1):
            before = chat.on_item
            right, details = judge(turn, chat)
            kind = turn["expect"]["kind"]
            right_by_kind.setdefault(kind, []).append(right)
            if kind == "item":
                single.append(details["single"])
            if kind == "field" and before == turn["expect"]["gold"]:
                in_context.append(right)
            all_right &= right
            if misses and not right:
                print(f"  miss {dialogue['id']}#{number} [{kind}] {turn['say']} -> {details}", file=sys.stderr)
        successes += all_right
        latencies += chat.latencies
    turns = [r for rights in right_by_kind.values() for r in rights]

    def rate(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    report: dict[str, Any] = {
        "dialogues": len(dialogues),
        "turns": len(turns),
        "turn_accuracy": rate(turns),
        "dialogue_success": rate([True] * successes + [False] * (len(dialogues) - successes)),
        "single_answer_rate": rate(single),
        **{kind: rate(right_by_kind.get(kind, [])) for kind in KINDS},
        "field_in_context": rate(in_context),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
    }
    return {k: v for k, v in report.items() if v is not None or k in ("item", "field", "choose", "none")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dialogues", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--misses", action="store_true", help="print the turns missed")
    args = parser.parse_args(argv)
    report = evaluate(read_dialogues(args.dialogues), args.url, args.misses)
    for key, value in report.items():
        print(f"{key:>20} {value}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
