"""Rasa's in-memory tracker store, without the tracker replays it does not need.

Runs inside the Rasa process (Rasa loads it by module path from bot/endpoints.yml).
Rasa's store rebuilds a tracker from its JSON by replaying every event, and per message it
did so four times: the processor's retrieve replays the conversation, then replays it again
to split it into sessions (usually there is one, and the tracker is returned as it was);
saving with an event broker retrieves the stored tracker once more — two more replays —
only to count its events and send the broker the ones after them. Here the tracker object
saved is handed as it is to the next retrieve (one conversation's messages are handled one
at a time: Rasa's lock store), a tracker rebuilt from JSON is split only when it holds a
second session, and the count is kept when a tracker is saved. The trackers returned and
the events streamed are the same (tests/test_tracker_store.py); the price is memory, each
conversation's last tracker object beside its JSON.

One known difference, on a path Tongban does not use: Rasa's `/conversations/<id>/predict`
clears a pending follow-up action without an event and saves; Rasa's store brings the
follow-up back when it rebuilds the tracker, this one hands out the object without it.
A reader outside the processor (channels/wechat.py asks whether a conversation is paused)
takes the saved object, so the next message rebuilds the tracker from JSON, once.
"""

from __future__ import annotations

from itertools import islice
from typing import Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions


def starts_another_session(event: Event, position: int) -> bool:
    """Rasa splits sessions before each `action_session_start` not at the very start."""
    return position > 0 and isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


def last_session_length(events: list[Event]) -> int:
    """How many events the last session holds: what `retrieve` returns of them."""
    for position in range(len(events) - 1, 0, -1):
        if starts_another_session(events[position], position):
            return len(events) - position
    return len(events)


class FewerReplaysInMemoryTrackerStore(InMemoryTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_session_lengths: dict[Text, int] = {}  # of each stored tracker
        # The tracker object last saved, handed out once by the next retrieve instead of
        # being rebuilt from its JSON. Whoever retrieves it owns it; a message whose
        # handling fails before saving leaves nothing here, so the next retrieve rebuilds
        # the last saved state, as Rasa's store does.
        self.saved: dict[Text, DialogueStateTracker] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self.last_session_lengths[tracker.sender_id] = last_session_length(list(tracker.events))
        self.saved[tracker.sender_id] = tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """The events after those of the stored tracker's last session, as Rasa's
        `TrackerEventDiffEngine` finds them, without rebuilding the stored tracker."""
        if self.event_broker is None:
            return None
        offset = self.last_session_lengths.get(tracker.sender_id, 0)
        await self._stream_new_events(self.event_broker, list(islice(tracker.events, offset, None)), tracker.sender_id)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        saved = None if fetch_all_sessions else self.saved.pop(sender_id, None)
        # Changed since it was saved (events added after saving), or holding a second
        # session: rebuilt from the JSON instead.
        if saved is not None and len(saved.events) == self.last_session_lengths.get(sender_id):
            return saved
        stored = self.store.get(sender_id)
        tracker = self.deserialise_tracker(sender_id, stored) if stored else None
        if tracker is None or fetch_all_sessions:
            return tracker
        events = tracker.events
        if not any(starts_another_session(event, position) for position, event in enumerate(events)):
            return tracker  # one session: Rasa returns the tracker itself too
        return get_trackers_for_conversation_sessions(tracker)[-1]
