"""Long messages are not small talk: a citizen's 30-character story that DIET happens to
score as `deny` or `greet` is a service question, so it goes to retrieval instead. And a
message of closing words alone that DIET is unsure of ("好的，知道了", "不用了，谢谢") is
thanks, or goodbye when it says there is nothing more: not a question for retrieval.
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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SmallTalkGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "small_talk_intents": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "chitchat"],
            "max_chars": 15,  # longer than any greeting, thanks or yes/no in the training data
            "service_intent": "search_service",
            "thanks_words": [],
            "farewell_words": [],
            "filler_words": [],
            "unsure_below": 0.0,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.small_talk = set(config["small_talk_intents"])
        self.max_chars = config["max_chars"]
        self.service_intent = config["service_intent"]
        self.thanks_words = set(config["thanks_words"])
        self.farewell_words = set(config["farewell_words"])
        self.filler_words = set(config["filler_words"])
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
            closing = self.closing(text) if (intent.get("confidence") or 0.0) < self.unsure_below else None
            if closing:
                # The ranking too: FallbackClassifier's ambiguity check reads its first two.
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != closing]
                message.set(INTENT, {INTENT_NAME_KEY: closing, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: closing, "confidence": 1.0}, *ranking], add_to_output=True)
                continue
            if intent.get(INTENT_NAME_KEY) in self.small_talk and len(text.strip()) > self.max_chars:
                message.set(INTENT, {INTENT_NAME_KEY: self.service_intent, "confidence": intent.get("confidence", 0.0)}, add_to_output=True)
        return messages

    def closing(self, text: str) -> str | None:
        """goodbye, thank, or None for a message that is not closing words alone (yes-words
        beside them allowed)."""
        pieces = {p for p in re.split(r"[\s，,。.!！?？~～、；;：:…]+", text) if p} - self.filler_words
        if not pieces or not pieces <= self.thanks_words | self.farewell_words:
            return None
        return "goodbye" if pieces & self.farewell_words else "thank"
