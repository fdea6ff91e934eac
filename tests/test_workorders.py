"""12345 work orders in the portal (portal/workorders.py) through its HTTP API, on SQLite
and PostgreSQL: filing is idempotent, the phone is kept only encrypted, lookups need the
phone, agents' changes reach the notifications the notifier pushes."""

from tests.test_portal import STAFF, auth, client  # noqa: F401  (the portal on both databases)

PHONE = "13912345678"


def order(key="k-1", sender="conv-1", **extra):
    return {
        "idempotency_key": key, "content": "楼上每天半夜装修，吵得睡不着", "place": "历下区阳光小区3号楼",
        "region_code": "370102", "region_name": "历下区", "happened": "最近一周每天夜里", "contact": PHONE,
        "contact_masked": "139****5678", "category": "城乡建设", "department": "住房和城乡建设局",
        "channel": "rest", "sender_id": sender, **extra,
    }


async def test_filing_is_idempotent_and_keeps_the_phone_only_encrypted(client):
    first = await client.post("/work-orders", json=order(), headers=auth())
    assert first.status == 201
    filed = await first.json()
    assert filed["number"].startswith("WO") and len(filed["number"]) == 16 and filed["status"] == "已受理"
    again = await (await client.post("/work-orders", json=order(), headers=auth())).json()
    assert again["number"] == filed["number"]
    assert PHONE not in str(filed)
    if not isinstance(client.raw_database, str):  # SQLite: the file's bytes hold no raw phone
        assert PHONE.encode() not in client.raw_database.read_bytes()


async def test_bad_filings_are_400_and_tokens_are_checked(client):
    assert (await client.post("/work-orders", json=order(contact="12345"), headers=auth())).status == 400
    assert (await client.post("/work-orders", json=order(content=""), headers=auth())).status == 400
    assert (await client.post("/work-orders", json=order())).status == 401
    assert (await client.get("/staff/work-orders", headers=auth())).status == 401  # the service token is not staff's
    assert (await client.post("/work-orders", data=b"{not json", headers=auth())).status == 400


async def test_lookups_by_conversation_or_by_number_with_the_phone(client):
    filed = await (await client.post("/work-orders", json=order(key="k-2", sender="conv-2"), headers=auth())).json()
    mine = (await (await client.post("/work-orders/lookup", json={"sender_id": "conv-2"}, headers=auth())).json())["work_orders"]
    assert [o["number"] for o in mine] == [filed["number"]]
    by_number = await client.post("/work-orders/lookup", json={"number": filed["number"], "contact": PHONE}, headers=auth())
    assert (await by_number.json())["work_orders"][0]["place"] == "历下区阳光小区3号楼"
    wrong = await client.post("/work-orders/lookup", json={"number": filed["number"], "contact": "13800000000"}, headers=auth())
    unknown = await client.post("/work-orders/lookup", json={"number": "WO20260101000000", "contact": PHONE}, headers=auth())
    assert wrong.status == unknown.status == 404


async def test_agents_list_and_edit_and_the_citizen_is_notified(client):
    filed = await (await client.post("/work-orders", json=order(key="k-3", sender="conv-3"), headers=auth())).json()
    listed = (await (await client.get("/staff/work-orders", headers=auth(STAFF))).json())["work_orders"]
    assert listed[0]["number"] == filed["number"] and listed[0]["contact"] == "139****5678"
    url = f"/staff/work-orders/{filed['number']}"
    moved = await client.post(url, json={"department": "历下区综合行政执法局"}, headers=auth(STAFF))
    assert (await moved.json())["department"] == "历下区综合行政执法局"
    notes = (await (await client.get("/notifications", headers=auth())).json())["notifications"]
    assert not [n for n in notes if n["sender_id"] == "conv-3"]  # a department change alone is internal
    replied = await (await client.post(url, json={"status": "已答复", "reply": "已约谈施工方，夜间停止施工"}, headers=auth(STAFF))).json()
    assert replied["status"] == "已答复" and replied["reply"] == "已约谈施工方，夜间停止施工"
    assert [e["status"] for e in replied["timeline"]] == ["已受理", "已受理", "已答复"]
    notes = [n for n in (await (await client.get("/notifications", headers=auth())).json())["notifications"] if n["sender_id"] == "conv-3"]
    assert len(notes) == 1 and filed["number"] in notes[0]["text"] and "夜间停止施工" in notes[0]["text"]
    assert notes[0]["work_order_id"] and notes[0]["application_id"] is None
    assert (await client.post(url, json={"status": "不存在"}, headers=auth(STAFF))).status == 409
    assert (await client.post("/staff/work-orders/WO20260101000000", json={"status": "办理中"}, headers=auth(STAFF))).status == 404
    revealed = await client.post(f"{url}/contact", json={"actor": "agent-7"}, headers=auth(STAFF))
    assert (await revealed.json())["contact"] == PHONE
    assert (await client.post(f"{url}/contact", json={}, headers=auth())).status == 401  # staff only
    only_replied = (await (await client.get("/staff/work-orders?status=已答复", headers=auth(STAFF))).json())["work_orders"]
    assert [o["number"] for o in only_replied] == [filed["number"]]


def test_only_a_message_that_says_what_happened_answers_the_first_question():
    from actions.workorder import says_what_happened

    for opening in ("我要投诉", "我想提个建议", "我要反映一个问题", "投诉！", "12345热线怎么登记工单"):
        assert not says_what_happened(opening), opening
    for complaint in ("楼上天天半夜装修吵得睡不着，找谁管", "路灯坏了", "噪音扰民", "我要举报小区里有人私搭乱建"):
        assert says_what_happened(complaint), complaint


def test_a_correction_clears_the_answer_it_names():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.workorder import correction

    answers = {"workorder_what": "路灯坏了", "workorder_where": "历下区阳光小区", "workorder_when": "昨天", "workorder_phone": "139****5678"}

    def cleared(text, entities=()):
        message = {"text": text, "entities": list(entities), "intent": {"name": "correct_answer"}}
        events = correction(CollectingDispatcher(), Tracker("me", answers, message, [], False, None, {}, "action_listen"))
        return events[0]["name"] if events else None

    assert cleared("地点说错了") == "workorder_where"
    assert cleared("刚才电话填错了") == "workorder_phone"
    assert cleared("发生时间要改一下") == "workorder_when"
    assert cleared("改一下") is None  # which one? asked with buttons
    assert cleared("/correct_answer", [{"entity": "form_field", "value": "workorder_when"}]) == "workorder_when"


def test_a_region_named_beside_an_asking_word_is_no_answer_to_where(sd_catalogue):
    """In the work order's place question, a clause naming a region answers it, unless it asks where
    ("济南在哪办" is a question about the service under discussion)."""
    from actions.workorder import names_a_place

    gazetteer = sd_catalogue.gazetteer
    assert names_a_place(gazetteer, "不记得是哪个窗口了，历下区政务服务中心大厅")
    assert names_a_place(gazetteer, "历下区阳光小区3号楼")
    assert not names_a_place(gazetteer, "济南在哪办")
    assert not names_a_place(gazetteer, "历下区去哪儿办执照")
    assert not names_a_place(gazetteer, "就在我家楼上")
