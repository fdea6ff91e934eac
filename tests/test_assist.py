"""The 12345 agent-assist service on a real port: login everywhere, suggestions with
masked numbers and cited facts, feedback, the handoff queue against the real bot, bad
input; and the hotline classifier on messages written for this test."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet

from actions.handoff_queue import HandoffQueue
from assist.app import create_app, load_assistant
from assist.classifier import build_classifier
from assist.eval import message_text
from assist.routes import ROUTES
from assist.store import AssistStore
from catalogue.store import load_catalogue
from retrieval.service import ensure_index
from tests.chat import RASA_PORT, RASA_TOKEN, say, texts, tracker, user

ID_NUMBER, PHONE = "370102199003071234", "13812345678"
AGENT, PASSWORD = "agent-01", "a-long-test-password"
AUTHORED = Path(__file__).parent / "data" / "hotline_authored.jsonl"
CATEGORIES = {"城乡建设", "交通运输", "劳动和社会保障", "教育文体", "卫生计生", "商贸旅游", "环境保护", "政法",
              "党务政务", "农村农业", "国土资源", "经济管理", "民政", "科技与信息产业", "纪检监察"}


@pytest.fixture(scope="module")
def assist_settings(sd_settings):
    ensure_index(load_catalogue(sd_settings), sd_settings)
    settings = replace(sd_settings, assist_session_key=Fernet.generate_key().decode(), rasa_url=f"http://127.0.0.1:{RASA_PORT}", rasa_token=RASA_TOKEN)
    AssistStore(settings.assist_database).add_agent(AGENT, PASSWORD)
    return settings


@pytest.fixture(scope="module")
def assistant(assist_settings):
    return load_assistant(assist_settings)


@pytest.fixture
async def anonymous(assist_settings, assistant):
    async with TestClient(TestServer(create_app(assist_settings, assistant))) as client:
        yield client


@pytest.fixture
async def client(anonymous):
    response = await anonymous.post("/login", json={"name": AGENT, "password": PASSWORD})
    assert response.status == 200
    yield anonymous


async def test_nothing_but_login_and_health_is_reachable_anonymously(anonymous):
    assert (await anonymous.get("/health")).status == 200
    assert (await anonymous.get("/login")).status == 200
    for route in ROUTES:
        if route.public:
            continue
        path = route.path.replace("{handoff_id}", "1")
        response = await anonymous.request(route.method, path, json={"text": "x"}, allow_redirects=False)
        if route.method == "GET" and not path.startswith("/api/"):
            assert response.status == 302 and response.headers["Location"] == "/login", path
        else:
            assert response.status == 401, path
            assert "登录" in (await response.json())["message"]
    assert (await anonymous.get("/api/nope")).status == 401  # unknown paths tell nothing either
    anonymous.session.cookie_jar.update_cookies({"TONGBAN_AGENT": "forged"})
    assert (await anonymous.post("/api/assist", json={"text": "x"})).status == 401


async def test_login_checks_the_password_and_logout_ends_the_session(anonymous):
    for name, password in [(AGENT, "wrong-password"), ("nobody", PASSWORD)]:
        response = await anonymous.post("/login", json={"name": name, "password": password})
        assert response.status == 401 and (await response.json())["message"] == "用户名或密码错误。"
    assert (await anonymous.get("/api/me")).status == 401
    assert (await anonymous.post("/login", json={"name": AGENT, "password": PASSWORD})).status == 200
    assert (await (await anonymous.get("/api/me")).json()) == {"agent": AGENT}
    assert (await anonymous.get("/")).status == 200
    assert (await anonymous.post("/logout")).status == 200
    assert (await anonymous.get("/api/me")).status == 401


async def test_assist_masks_numbers_and_cites_its_facts(client, assist_settings):
    text = f"我叫张三，身份证{ID_NUMBER}，电话{PHONE}。孩子刚出生，想问问怎么上户口，要带哪些材料？"
    response = await client.post("/api/assist", json={"text": text})
    assert response.status == 200
    data = await response.json()
    raw = json.dumps(data, ensure_ascii=False)
    assert ID_NUMBER not in raw and PHONE not in raw
    assert data["masked"] == ["370102********1234", "138****5678"]
    assert "370102********1234" in data["masked_text"]
    assert data["category"]["name"] == "政法" and {c["name"] for c in data["categories"]} <= CATEGORIES
    assert data["department"]["name"]
    assert data["asked_field"] == "materials"  # "电话138…" is the caller's number, not a question
    item = data["items"][0]
    assert item["name"] == "出生登记" and item["facts"][0]["field"] == "materials"
    assert "事项编码 " + item["code"] in item["citation"]
    assert all(f["text"] and not f["text"].startswith(f["label"]) for f in item["facts"])  # read out as is
    assert item["name"] in data["reply"] and "12345" in data["reply"]
    stored = Path(assist_settings.assist_database).read_bytes()
    assert ID_NUMBER.encode() not in stored and PHONE.encode() not in stored


async def test_policies_come_with_their_source(client):
    data = await (await client.post("/api/assist", json={"text": "公司今年没有裁员，听说失业保险可以返还一部分，怎么申请？"})).json()
    assert data["category"]["name"] == "劳动和社会保障"
    assert data["policies"] and all(p["citation"] and p["facts"][0]["text"] for p in data["policies"])
    assert any("失业保险" in p["title"] for p in data["policies"])


async def test_feedback_is_stored_and_reported(client):
    before = await (await client.get("/api/feedback/report")).json()
    data = await (await client.post("/api/assist", json={"text": "小区楼下的饭店油烟直排，熏得家里没法开窗"})).json()
    category = data["category"]["name"]
    verdicts = [("category", category, "adopted"), ("department", data["department"]["name"], "adopted"), ("reply", "draft", "rejected")]
    for kind, ref, decision in verdicts:
        response = await client.post("/api/feedback", json={"assist_id": data["id"], "kind": kind, "ref": ref, "decision": decision})
        assert response.status == 201
    report = await (await client.get("/api/feedback/report")).json()
    assert report["adopted"] == before.get("adopted", 0) + 2 and report["rejected"] == before.get("rejected", 0) + 1
    assert report["by_kind"]["reply"]["rejected"] >= 1 and report["by_category"][category]["adopted"] >= 2
    assert 0 <= report["by_category"][category]["adoption_rate"] <= 1
    # Only what was suggested can be judged.
    unknown = await client.post("/api/feedback", json={"assist_id": data["id"], "kind": "item", "ref": "NOT-SUGGESTED", "decision": "adopted"})
    assert unknown.status == 404


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/assist", b""),
        ("/api/assist", b"{not json"),
        ("/api/assist", b"[1, 2]"),
        ("/api/assist", json.dumps({"text": 123}).encode()),
        ("/api/assist", json.dumps({"text": "   "}).encode()),
        ("/api/assist", json.dumps({"text": "啊" * 9000}).encode()),
        ("/api/assist", json.dumps({"text": "啊" * 100_000}).encode()),
        ("/api/assist", b"\xff\xfe\x00garbage"),
        ("/api/feedback", json.dumps({"assist_id": "x", "kind": "nonsense", "ref": "y", "decision": "adopted"}).encode()),
        ("/api/feedback", json.dumps({"assist_id": "x", "kind": "item", "ref": "y", "decision": "maybe"}).encode()),
        ("/api/feedback", json.dumps({"assist_id": ["x"], "kind": "item"}).encode()),
        ("/login", json.dumps({"name": None, "password": 1}).encode()),
        ("/api/handoffs/999999/reply", json.dumps({"text": "您好"}).encode()),
        ("/api/handoffs/abc/reply", json.dumps({"text": "您好"}).encode()),
    ],
)
async def test_bad_input_gets_a_4xx_with_a_chinese_message(client, path, body):
    response = await client.post(path, data=body, headers={"Content-Type": "application/json"})
    assert 400 <= response.status < 500, (path, body[:40], response.status)
    message = (await response.json())["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


async def test_odd_but_valid_input_gets_suggestions(client):
    for text in ["😀😀😀", "How do I renew my passport?", "？？？", "a" * 7000]:
        response = await client.post("/api/assist", json={"text": text})
        assert response.status == 200
        assert (await response.json())["category"]["name"] in CATEGORIES


async def test_agent_reply_reaches_the_handed_off_conversation(bot, client, assist_settings):
    me = user()
    say(me, f"居住证怎么办？我的电话是{PHONE}")
    assert "人工" in texts(say(me, "转人工"))
    listed = (await (await client.get("/api/handoffs")).json())["handoffs"]
    mine = [h for h in listed if h["sender_id"] == me]
    assert len(mine) == 1 and mine[0]["status"] == "waiting"
    transcript = " ".join(t["text"] for t in mine[0]["transcript"])
    assert "居住证" in transcript and PHONE not in transcript
    handoff_id = mine[0]["id"]

    reply = f"您好，我是12345坐席{uuid.uuid4().hex[:6]}，居住证可在派出所办理。"
    response = await client.post(f"/api/handoffs/{handoff_id}/reply", json={"text": reply})
    assert response.status == 201
    events = tracker(me)["events"]
    assert any(e.get("event") == "bot" and e.get("text") == reply for e in events)
    detail = await (await client.get(f"/api/handoffs/{handoff_id}")).json()
    assert detail["status"] == "serving" and detail["replies"][0]["text"] == reply and detail["replies"][0]["agent"] == AGENT

    # Closing hands the conversation back to the bot: it answers again.
    assert (await client.post(f"/api/handoffs/{handoff_id}/close", json={})).status == 200
    events = tracker(me)["events"]  # back to the bot, which asks for a rating of the agent's service (好差评)
    assert [e["event"] for e in events[-4:]] == ["resume", "action", "slot", "bot"]
    assert events[-1]["data"]["custom"]["rating"]["topic"] == f"handoff:{handoff_id}"
    assert texts(say(me, "孩子刚出生怎么上户口")).strip()
    assert HandoffQueue(assist_settings.var_dir / "handoff.sqlite").get(handoff_id).status == "closed"
    closed = await client.post(f"/api/handoffs/{handoff_id}/reply", json={"text": "还在吗"})
    assert closed.status == 409
    assert all(h["id"] != handoff_id for h in (await (await client.get("/api/handoffs")).json())["handoffs"])


def test_classifier_names_the_category_of_messages_it_never_saw(sd_settings):
    """Messages written for this test (not in data/hotline/), across all 15 categories: short
    ones as a caller says them and long letters (l01-l08) as written to the hotline's web form."""
    records = [json.loads(line) for line in AUTHORED.read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = build_classifier(sd_settings)
    predicted = classifier.predict([message_text(r) for r in records])
    correct = sum(p == r["category"] for p, r in zip(predicted, records))
    assert correct / len(records) >= 0.8, [(r["id"], p) for p, r in zip(predicted, records) if p != r["category"]]
    assert set(classifier.labels) == CATEGORIES


def test_authored_hotline_data_covers_every_category_and_rejects_unknown_names(tmp_path):
    import shutil

    import yaml

    from assist.classifier import load_categories
    from settings import ROOT

    categories = load_categories(ROOT / "data" / "hotline")
    assert set(categories) == CATEGORIES
    letters = yaml.safe_load((ROOT / "data" / "hotline" / "letters.yml").read_text(encoding="utf-8"))
    assert set(letters) == CATEGORIES and all(len(v) >= 5 for v in letters.values())
    assert abs(sum(c.share for c in categories.values()) - 1) < 0.05 and all(c.share > 0 for c in categories.values())
    folder = tmp_path / "hotline"
    shutil.copytree(ROOT / "data" / "hotline", folder)
    (folder / "letters.yml").write_text("城乡建筑:\n  - 小区物业不作为\n", encoding="utf-8")
    with pytest.raises(ValueError, match="城乡建筑"):
        load_categories(folder)


def test_agents_command_creates_an_agent_who_can_log_in(tmp_path):
    import subprocess
    import sys

    from settings import ROOT

    env = {"TONGBAN_VAR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "assist.agents", "add", "王坐席", "--password-stdin"], input="secret-pass-1\n",
                          text=True, capture_output=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    store = AssistStore(tmp_path / "assist.sqlite")
    assert store.verify_agent("王坐席", "secret-pass-1") and not store.verify_agent("王坐席", "secret-pass-2")
    row = sqlite3.connect(tmp_path / "assist.sqlite").execute("SELECT password_hash FROM agents").fetchone()
    assert row[0].startswith("scrypt$") and "secret-pass-1" not in row[0]
    short = subprocess.run([sys.executable, "-m", "assist.agents", "add", "x", "--password-stdin"], input="short\n",
                           text=True, capture_output=True, cwd=ROOT, env=env)
    assert short.returncode != 0


async def test_the_console_shows_the_callers_matching_policies_with_reasons(bot, assist_settings, assistant):
    """With the caller's credit code in the words, the portal's 一企一档 is matched."""
    from tests.chat import PORTAL_PORT
    from tests.test_policy_chat import COMPANY, CREDIT_CODE, portal, secrets

    service = secrets(assist_settings)["PORTAL_SERVICE_TOKEN"]
    portal("/profiles", {"kind": "enterprise", "key": CREDIT_CODE, "data": {"facts": COMPANY}}, service)
    settings = replace(assist_settings, portal_url=f"http://127.0.0.1:{PORTAL_PORT}", portal_service_token=service)
    async with TestClient(TestServer(create_app(settings, assistant))) as client:
        await client.post("/login", json={"name": AGENT, "password": PASSWORD})
        body = await (await client.post("/api/assist", json={"text": f"我们公司信用代码{CREDIT_CODE}，想问问有什么扶持政策"})).json()
    assert CREDIT_CODE not in json.dumps(body, ensure_ascii=False)
    eligible = {p["id"]: p for p in body["caller_policies"]["eligible"]}
    assert "SD03" in eligible and eligible["SD03"]["reasons"] and "济科字" in eligible["SD03"]["citation"]
    assert all(p["reasons"] for p in body["caller_policies"]["near_misses"])
