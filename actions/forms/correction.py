"""Correcting an earlier answer: "刚才电话填错了" clears that answer and asks it again,
during the form or at the summary before confirmation."""

from __future__ import annotations


from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import workorder
from actions.answer import ActionAnswer
from actions.forms.specs import label, slot_specs, spec_of


def slot_named(text: str, entity: str | None, slots: list[str], answered: set[str]) -> str | None:
    """Which of the form's questions the user means: an exact slot from a button, else the
    longest label or alias in their words, preferring one already answered."""
    if entity in slots:
        return entity
    best: tuple[int, bool, str] | None = None
    for slot in slots:
        for word in (label(slot), *slot_specs()[slot].get("aliases", [])):
            if word in text:
                rank = (len(word), slot in answered, slot)
                best = max(best, rank) if best else rank
    return best[2] if best else None


class ActionCorrectAnswer(Action):
    def name(self) -> str:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = spec_of(tracker.get_slot("application_kind"))
        if spec is None and workorder.in_progress(tracker):  # a 12345 work order being filed
            return workorder.correction(dispatcher, tracker)
        if spec is None:  # no form to correct: "保安员证上的信息要怎么改" asks for a service
            return await ActionAnswer().run(dispatcher, tracker, domain)
        answered = {s for s in spec["slots"] if tracker.get_slot(s)}
        entity = next(tracker.get_latest_entity_values("form_field"), None)
        slot = slot_named(tracker.latest_message.get("text") or "", entity, spec["slots"], answered)
        if slot is None or slot not in answered:
            buttons = [{"title": label(s), "payload": f'/correct_answer{{"form_field":"{s}"}}'} for s in spec["slots"] if s in answered]
            dispatcher.utter_message(text="请问要修改哪一项？", buttons=buttons)
            return []
        dispatcher.utter_message(text=f"好的，请重新提供{label(slot)}。")
        # The form asks again for its first unanswered question: the cleared one, since
        # every question before it is answered. At the summary the form was done: restart it.
        restart = [] if tracker.active_loop.get("name") == "application_form" else [ActiveLoop("application_form")]
        return [SlotSet(slot, None), SlotSet("requested_slot", None), *restart, FollowupAction("application_form")]
