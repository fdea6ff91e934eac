"""Hand the conversation to a human: pause the bot and queue it with its transcript."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answered
from actions.handoff_queue import HandoffQueue

TRANSCRIPT_EVENTS = {"user": "user", "bot": "bot"}
# Words asking for a person. NLU reads some messages naming an office as this intent ("我们这段路在
# 机场片区，找空港那个管委会办", request_human 0.46): without such words the message is answered as
# the question it is, rather than pausing the bot for an agent.
ASKS_FOR_A_PERSON = re.compile(
    r"人工|真人|活人|客服|坐席|接线员|话务员|机器人|人呢|转接"
    r"|(叫|喊|派|找|来|转|搵|揾)(个|一个)?人(?![员口才事代帮替])|(有|有没有|有冇)人(吗|在|没|回|理|啊|喺)|(跟|和|同)(人|真人)(说|讲|聊|倾|唠)"
    # (whom one asks for an errand, not us: "找负责人签字", "找机器取号", "找空港管委会的负责人")
    r"|^(?!.*(签字|签名|签个字|盖章|取号|打印)).*((?<!的)(工作人员(?!说|讲|让|叫)|职员|领导|负责人|管事的|经理)|机器)"
)


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    return [
        {"from": TRANSCRIPT_EVENTS[e["event"]], "text": e.get("text") or ""}
        for e in tracker.events
        if e.get("event") in TRANSCRIPT_EVENTS and e.get("text")
    ]


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and not ASKS_FOR_A_PERSON.search(text):  # (the button's payload asks)
            return answered(dispatcher, tracker)
        channel = tracker.get_latest_input_channel()
        ticket = HandoffQueue().add(tracker.sender_id, channel, transcript(tracker))
        dispatcher.utter_message(
            text=f"已为您转接人工客服（排队号 {ticket}），请稍候，工作人员会在这里回复您。",
            json_message={"handoff": {"ticket": ticket}},
        )
        return [ConversationPaused()]
