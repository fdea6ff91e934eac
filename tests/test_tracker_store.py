"""bot/tracker_store.py: Rasa's in-memory tracker store with fewer replays returns the same
trackers and streams the same events as Rasa's own, over a conversation with new sessions,
messages whose handling failed before saving, and reads between messages. Runs in Rasa's
environment."""

from __future__ import annotations

from tests.rasa_env import run_in_rasa

SAME_AS_RASA = '''
import asyncio
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from bot.tracker_store import FewerReplaysInMemoryTrackerStore

domain = Domain.from_yaml("""
version: "3.1"
intents: [ask, greet]
slots:
  current_item: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  region: {type: text, influence_conversation: false, mappings: [{type: custom}]}
""")

class Recording(EventBroker):
    def __init__(self): self.events = []
    def publish(self, event): self.events.append(event)

def turn(number, new_session):
    events = []
    if new_session:
        events += [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events += [UserUttered(f"第{number}个问题", {"name": "ask", "confidence": 0.9}, [], parse_data={"text": "x", "intent": {"name": "ask", "confidence": 0.9}, "entities": []}),
               ActionExecuted("action_answer"), BotUttered(f"回答{number}", {"custom": {"items": [{"code": str(number)}]}}),
               SlotSet("current_item", str(number)), SlotSet("region", "3701"), ActionExecuted("action_listen")]
    for k, event in enumerate(events):
        event.timestamp = 1_700_000_000 + number * 100 + k
    return events

async def converse(store, turns, sessions_at, failing=(), reading=()):
    retrieved = []
    for number in range(turns):
        if number in reading:  # someone reads the conversation between two messages
            retrieved.append([e.as_dict() for e in (await store.retrieve("c1")).events])
        tracker = await store.get_or_create_tracker("c1", append_action_listen=False)
        retrieved.append([e.as_dict() for e in tracker.events])
        for event in turn(number, number == 0 or number in sessions_at):
            tracker.update(event)
        if number in failing:  # the handling failed before saving: its events are lost
            continue
        await store.save(tracker)
    full = await store.retrieve_full_tracker("c1")
    return retrieved, [e.as_dict() for e in full.events], full.current_slot_values()

async def main():
    results = {}
    for cls in (InMemoryTrackerStore, FewerReplaysInMemoryTrackerStore):
        broker = Recording()
        store = cls(domain, event_broker=broker)
        retrieved, full, slots = await converse(store, 12, {5, 9}, failing={3, 7}, reading={4, 8, 10})
        results[cls] = (retrieved, full, slots, broker.events)
    a, b = results.values()
    assert a[0] == b[0], "retrieved trackers differ"
    assert a[1] == b[1] and a[2] == b[2], "full trackers differ"
    assert a[3] == b[3], "streamed events differ"
    assert len(b[3]) == 10 * 6 + 3 * 3, len(b[3])  # every event streamed once
    print("ok")

asyncio.run(main())
'''


def test_tracker_store_with_fewer_replays_behaves_as_rasas():
    run = run_in_rasa(SAME_AS_RASA)
    assert run.stdout.strip().endswith("ok"), run.stdout[-2000:] + run.stderr[-2000:]
