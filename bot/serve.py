"""`rasa run …` with the HTTP API's token taken from the environment (settings.rasa_token),
Rasa's check of each action server response made cheap, and each text parsed once.

Rasa reads its token only from `--auth-token`; passing it here, inside the process,
keeps the secret out of the command line that any local user can list (`ps`).

    python -m bot.serve --model M --enable-api --port 5005 …   (bot/run.py starts it)
"""

from __future__ import annotations

import sys

from settings import get_settings

VALIDATION_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint is valid. "
    "For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


def validate_action_responses_once() -> None:
    """Rasa checks every custom action's response with `jsonschema.validate`, which first
    checks the schema itself against the JSON Schema metaschema — a third of the Rasa
    process's CPU under load (python -m bench.profile). The schema never changes: build its
    validators once and check only the response, with the same errors.

    An event must match exactly one of ~20 kinds (`oneOf`), so jsonschema tries every kind
    on every event (~6 ms for a form's 24 events). Each kind fixes the event's name
    (`"event": {"const": …}`), so an event can only match the kind of its name: check it
    against that kind alone. What fails that way is checked again in full, for Rasa's own
    error."""
    from jsonschema import validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    event_schema = schema["properties"]["events"]["items"]
    kinds = {kind["properties"]["event"]["const"]: kind for kind in event_schema["oneOf"]}
    assert len(kinds) == len(event_schema["oneOf"]), "two kinds of event share a name"
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    event_of_kind = {name: validator_class({**common, "allOf": [kind]}) for name, kind in kinds.items()}
    any_events = validator_class({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def valid(result: dict) -> bool:
        if not any_events.is_valid(result):  # also: the result is an object, its events a list
            return False
        return all(
            isinstance(event, dict) and isinstance(event.get("event"), str) and event["event"] in event_of_kind
            and event_of_kind[event["event"]].is_valid(event)
            for event in result.get("events") or []
        )

    def _validate_action_result(self: RemoteAction, result: dict) -> bool:
        if valid(result):
            return True
        error = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += VALIDATION_HINT
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result


PARSES_KEPT = 4096  # texts
LONGEST_TEXT_KEPT = 100  # characters: what people repeat is short, and a parse holds its text's tokens


def parse_each_text_once() -> None:
    """Rasa runs the NLU pipeline (DIETClassifier's TensorFlow call: a third of the Rasa
    process's CPU, python -m bench.profile) on every message, though its result depends on
    the text alone: the pipeline's components read nothing but the text, and the message's
    id and metadata are not in the parse Rasa serves. People say the same short things
    ("需要什么材料？", "你好", "确认提交", a button's payload): keep the parses of the last
    PARSES_KEPT short texts and hand out a copy (callers change what they get). The channels
    mask ID and phone numbers before Rasa sees a text, so none is kept here."""
    import copy

    from cachetools import LRUCache
    from rasa.core.processor import MessageProcessor

    parse = MessageProcessor._parse_message_with_graph

    def parse_or_recall(self: MessageProcessor, message, tracker, only_output_properties: bool = True):
        text = message.text
        if not (only_output_properties and isinstance(text, str) and len(text) <= LONGEST_TEXT_KEPT):
            return parse(self, message, tracker, only_output_properties)  # all of a message's properties: its own
        if "kept_parses" not in self.__dict__:  # on the processor: a model loaded anew parses anew
            self.kept_parses = LRUCache(PARSES_KEPT)
        if text not in self.kept_parses:
            self.kept_parses[text] = parse(self, message, tracker, only_output_properties)
        return copy.deepcopy(self.kept_parses[text])

    MessageProcessor._parse_message_with_graph = parse_or_recall


def load_models_without_a_training_step() -> None:
    """Rasa builds each TensorFlow model it loads (DIETClassifier) by fitting it on one
    example — tracing the whole training graph (loss, CRF, gradients, Adam): ~90% of Rasa's
    start-up time (python -m bench.profile's py-spy on a starting Rasa). Only the weights'
    shapes are needed: build them by predicting on the example instead, and let TensorFlow
    restore each variable from the checkpoint as it is created (deferred restoration).
    Predictions are the same (tests/test_scale.py compares both ways)."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__

    @classmethod  # type: ignore[misc]
    def load(cls, model_file_name, model_data_example, predict_data_example=None, finetune_mode=False, *args, **kwargs):
        if finetune_mode or predict_data_example is None:
            return original(cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=config.get(RUN_EAGERLY))
        model.load_weights(model_file_name).expect_partial()  # the optimizer's state is not needed
        model.run_inference(predict_data_example)  # creates, and so restores, every variable prediction uses
        return model

    RasaModel.load = load


def freeze_what_loading_made() -> None:
    """Move what loading the model made (TensorFlow's graph, Rasa's objects: ~600,000) out of
    the garbage collector's sight once the agent has loaded. Each full collection walked
    them all: under load it paused the process for 0.3-0.9 s, twice in a 40-second load test,
    and every message in flight waited (the load test's slowest messages)."""
    import gc

    import rasa.core.run

    load = rasa.core.run.load_agent_on_start

    async def load_then_freeze(*args, **kwargs):
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    rasa.core.run.load_agent_on_start = load_then_freeze


def main() -> None:
    token = get_settings().rasa_token
    if not token:
        raise SystemExit("RASA_TOKEN must be set: Rasa's HTTP API is not served without a token (python -m portal.keys makes one)")
    sys.argv = ["rasa", "run", *sys.argv[1:], "--auth-token", token]
    validate_action_responses_once()
    parse_each_text_once()
    load_models_without_a_training_step()
    freeze_what_loading_made()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
