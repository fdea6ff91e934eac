"""The NLU pipeline's small-talk guard (bot/components/small_talk_guard.py), run inside
Rasa's environment with the pipeline's own settings from config.yml."""

from __future__ import annotations

import json

from tests.rasa_env import run_in_rasa

GUARD_THEN_FALLBACK = '''
import json, sys
import yaml
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message
from bot.components.small_talk_guard import SmallTalkGuard

pipeline = yaml.safe_load(open("config.yml"))["pipeline"]
settings = {c["name"]: {k: v for k, v in c.items() if k != "name"} for c in pipeline}
guard = SmallTalkGuard({**SmallTalkGuard.get_default_config(), **settings["bot.components.small_talk_guard.SmallTalkGuard"]})
fallback = FallbackClassifier.create({**FallbackClassifier.get_default_config(), **settings["FallbackClassifier"]}, None, None, None)
out = {}
for text, ranking in json.loads(sys.argv[1]):
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    guard.process([message])
    fallback.process([message])
    out[text] = message.get("intent")["name"]
print(json.dumps(out, ensure_ascii=False))
'''


def test_closing_words_that_nlu_is_unsure_of_are_thanks_or_goodbye() -> None:
    """"好的，知道了" with DIET torn between thanks (0.43) and affirm (0.40) was nlu_fallback
    (below the threshold, and ambiguous): it is thanks; with nothing more to ask, goodbye.
    Yes-words alone and a question after thanks are left to DIET and the fallback; so is
    what DIET is sure of; a long message is still a service question."""
    unsure = [{"name": "thank", "confidence": 0.43}, {"name": "affirm", "confidence": 0.40}]
    cases = {
        "好的，知道了": ("thank", unsure),
        "不用了，谢谢": ("goodbye", unsure),
        "没有了，再见！": ("goodbye", unsure),
        "好的": ("nlu_fallback", unsure),  # a yes at a summary is not thanks
        "知道了，在哪办": ("nlu_fallback", unsure),  # a question: retrieval's
        "嗯": ("affirm", [{"name": "affirm", "confidence": 0.96}]),
        "谢谢，我爸的退休手续是不是也可以在网上一起办": ("search_service", [{"name": "thank", "confidence": 0.9}]),
    }
    run = run_in_rasa(GUARD_THEN_FALLBACK, json.dumps([[text, ranking] for text, (_, ranking) in cases.items()], ensure_ascii=False))
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got == {text: intent for text, (intent, _) in cases.items()}


def test_a_short_question_of_a_fact_read_as_a_greeting_is_a_service_question() -> None:
    """"中午去有人吗" (the office hours; no intent is taught for them) was read as greet and
    answered with the greeting, and so was "在那儿办啊？" (where); greetings that say the time of day stay greetings, and a yes
    that mentions a fact is left to the flow waiting for it."""
    sure = lambda name: [{"name": name, "confidence": 0.9}]  # noqa: E731
    cases = {
        "中午去有人吗": ("search_service", sure("greet")),
        "周六开门吗": ("search_service", sure("greet")),
        "在那儿办啊？": ("search_service", [{"name": "greet", "confidence": 0.64}]),  # a field's cue (那 typed for 哪)
        "早上好，请问要带什么材料": ("search_service", sure("greet")),
        "你好，有人在线吗": ("greet", sure("greet")),  # someone there, not applying online
        "早上好，在线等，挺急的": ("greet", sure("greet")),
        "你中午吃饭了吗": ("chitchat", sure("chitchat")),  # other small talk is left alone
        "晚上好啊": ("greet", sure("greet")),
        "中午好": ("greet", [{"name": "greet", "confidence": 0.38}, {"name": "complain", "confidence": 0.07}]),  # DIET unsure: still a greeting
        "嗯嗯，寄到家里吧": ("affirm", sure("affirm")),
        # greeting and closing words beside a fact's word ask nothing
        "晚上好，有人吗": ("greet", sure("greet")),
        "谢谢，不用了，我明天上午再去": ("thank", sure("thank")),
        "不客气，周末愉快": ("greet", sure("greet")),
        "我走不开，让我媳妇去办行吗": ("search_service", [{"name": "request_human", "confidence": 0.61}]),
        "转人工，周末有人吗": ("request_human", sure("request_human")),  # asks for a human in so many words
    }
    run = run_in_rasa(GUARD_THEN_FALLBACK, json.dumps([[text, ranking] for text, (_, ranking) in cases.items()], ensure_ascii=False))
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got == {text: intent for text, (intent, _) in cases.items()}


def test_a_request_to_apply_that_nlu_is_unsure_of_starts_the_application() -> None:
    """"行吧，那你帮我把这个一起办了" (nlu_fallback) and "你直接帮我办了吧" (start_application 0.40)
    ask to apply in so many words; a request that names something else, or what DIET is sure
    of, is left alone."""
    unsure = [{"name": "start_application", "confidence": 0.40}, {"name": "cancel_application", "confidence": 0.19}]
    cases = {
        "行吧，那你帮我把这个一起办了": ("start_application", [{"name": "goodbye", "confidence": 0.2}, *unsure]),
        "你直接帮我办了吧": ("start_application", unsure),
        "好的，帮我申请一下": ("start_application", unsure),
        "中，那你帮俺在网上把这个申请了吧": ("start_application", unsure),  # 俺, 中, where it is done
        "行，那直接在线上给我开个申请": ("start_application", unsure),
        "算了你直接帮俺在网上申请吧": ("start_application", unsure),
        "中，恁帮俺申请一个吧": ("start_application", unsure),  # 恁 for 你
        "帮我在网上查一下": ("nlu_fallback", unsure),
        "帮我把营业执照也办了": ("nlu_fallback", unsure),  # names a service: retrieval's
        "帮我查一下进度": ("nlu_fallback", unsure),
        "帮我办了？": ("nlu_fallback", unsure),  # asks whether it was done
        "那就帮我办吧": ("start_application", [{"name": "start_application", "confidence": 0.9}]),
    }
    run = run_in_rasa(GUARD_THEN_FALLBACK, json.dumps([[text, ranking] for text, (_, ranking) in cases.items()], ensure_ascii=False))
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got == {text: intent for text, (intent, _) in cases.items()}
