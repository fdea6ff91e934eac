"""Long messages are not small talk: a citizen's 30-character story that DIET happens to
score as `deny` or `greet` is a service question, so it goes to retrieval instead.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SmallTalkGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "small_talk_intents": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "chitchat"],
            "max_chars": 15,  # longer than any greeting, thanks or yes/no in the training data
            "service_intent": "search_service",
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.small_talk = set(config["small_talk_intents"])
        self.max_chars = config["max_chars"]
        self.service_intent = config["service_intent"]

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "SmallTalkGuard":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) in self.small_talk and len(text.strip()) > self.max_chars:
                message.set(INTENT, {INTENT_NAME_KEY: self.service_intent, "confidence": intent.get("confidence", 0.0)}, add_to_output=True)
        return messages
