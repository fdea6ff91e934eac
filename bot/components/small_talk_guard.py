"""Long messages are not small talk: a citizen's 30-character story that DIET happens to
score as `deny` or `greet` is a service question, so it goes to retrieval instead. And a
message of stock words alone that DIET is unsure of is no question for retrieval either:
greeting words ("中午好") are a greeting, closing words ("好的，知道了", "不用了，谢谢") thanks,
or goodbye when they say there is nothing more; a request to apply in set words ("那你帮我把
这个一起办了") is one. A greeting or a request for a human that asks
a fact no intent is taught for ("中午去有人吗", "我走不开，让我媳妇去办行吗") is a service question
(retrieval.fields.asks_a_fact) or cues a field ("在那儿办啊"), unless it asks for a human in so
many words. (Not other small
talk: "你中午吃饭了吗" is chitchat; nor a yes or no, which forms and offers wait for.)
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from retrieval.fields import QUESTION, asks_a_fact, cues_a_field


# Asking whether someone is there, in a greeting ("你好，有人在线吗", "早上好，在线等"): 在线 is no
# question about applying online (a review).
PRESENCE = re.compile(r"(有人|客服|人工)?在线(吗|等|不|么|呢)?")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SmallTalkGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "small_talk_intents": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "chitchat"],
            "yield_to_facts": ["greet", "request_human"],
            "human_words": [],  # a request for a human that says so stays one
            "max_chars": 15,  # longer than any greeting, thanks or yes/no in the training data
            "service_intent": "search_service",
            "greeting_words": [],
            "thanks_words": [],
            "farewell_words": [],
            "filler_words": [],
            "apply_phrase": "",  # a request to apply, filler words aside
            "unsure_below": 0.0,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.small_talk = set(config["small_talk_intents"])
        self.yield_to_facts = set(config["yield_to_facts"])
        self.human_words = tuple(config["human_words"])
        self.max_chars = config["max_chars"]
        self.service_intent = config["service_intent"]
        self.greeting_words = set(config["greeting_words"])
        self.thanks_words = set(config["thanks_words"])
        self.farewell_words = set(config["farewell_words"])
        self.filler_words = set(config["filler_words"])
        self.apply_phrase = re.compile(config["apply_phrase"]) if config["apply_phrase"] else None
        self.unsure_below = config["unsure_below"]

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "SmallTalkGuard":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            stock = self.stock_phrase(text) if (intent.get("confidence") or 0.0) < self.unsure_below else None
            if stock:
                # The ranking too: FallbackClassifier's ambiguity check reads its first two.
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != stock]
                message.set(INTENT, {INTENT_NAME_KEY: stock, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: stock, "confidence": 1.0}, *ranking], add_to_output=True)
                continue
            name = intent.get(INTENT_NAME_KEY)
            if (name in self.small_talk and len(text.strip()) > self.max_chars) or (name in self.yield_to_facts and self.fact_beside_stock(text) and not self.asks_for_human(name, text)):
                message.set(INTENT, {INTENT_NAME_KEY: self.service_intent, "confidence": intent.get("confidence", 0.0)}, add_to_output=True)
        return messages

    def stock_phrase(self, text: str) -> str | None:
        """greet, goodbye, thank, start_application, or None for a message that is not greeting
        or closing words alone (yes-words beside them allowed), nor a request to apply."""
        said = [p for p in self.pieces(text) if p not in self.filler_words]
        if said and self.apply_phrase and self.apply_phrase.match("".join(said)) and not QUESTION.search(text):
            return "start_application"
        pieces = set(said)
        if pieces and pieces <= self.greeting_words:
            return "greet"
        if not pieces or not pieces <= self.thanks_words | self.farewell_words:
            return None
        return "goodbye" if pieces & self.farewell_words else "thank"

    def fact_beside_stock(self, text: str) -> bool:
        """Whether what the message says beside greeting and closing words asks a fact
        ("中午去有人吗"; not "晚上好，有人吗", "谢谢，我明天上午再去") or cues a field ("在那儿办啊？",
        greet 0.64: 那 typed for 哪)."""
        stock = self.greeting_words | self.thanks_words | self.farewell_words | self.filler_words
        said = "，".join(p for p in self.pieces(text) if p not in stock)
        return asks_a_fact(said) or cues_a_field(PRESENCE.sub(" ", said))

    def asks_for_human(self, intent: str, text: str) -> bool:
        return intent == "request_human" and any(word in text for word in self.human_words)

    @staticmethod
    def pieces(text: str) -> list[str]:
        return [p for p in re.split(r"[\s，,。.!！?？~～、；;：:…]+", text) if p]
