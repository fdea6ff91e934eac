"""The portal's policy API against a real database (SQLite and the machine's PostgreSQL):
list, publish with per-row errors, match with reasons, precise push exactly once with
opt-out, and 猜你要办 suggestions."""

from __future__ import annotations

from tests.test_portal import STAFF, auth, client  # noqa: F401  (the fixture, both databases)

CREDIT_CODE = "91370102MA3C4XYZ1A"
ID_NUMBER = "370102199503071234"
COMPANY = {"kind": "企业", "region": "370102", "industry": "C", "size": "小型", "established_date": "2019-05-01",
           "employees": 60, "revenue": 3000, "rd_ratio": 4.2, "certifications": ["高新技术企业", "科技型中小企业"],
           "flags": {"严重失信": False, "欠缴税款": False, "近三年重大安全事故": False}}


def new_policy(policy_id: str, **changes) -> dict:
    policy = {
        "id": policy_id, "title": "济南市制造业小微企业研发奖励（测试）", "issuer": "济南市科学技术局",
        "doc_number": "济科字〔2026〕99号", "issued": "2026-01-01", "valid_until": "2099-12-31",
        "benefit": "一次性奖励5万元", "application_mode": "依申请", "sample": True,
        "text": "一、支持对象\n在济南市注册的制造业企业。\n二、申报条件\n上年度研发费用占营业收入比例不低于3%；未被列入严重失信主体名单。\n三、奖励标准\n5万元。",
        "conditions": {"applicant_kind": ["企业"], "region": ["370100"], "industry": ["C"], "rd_ratio_min": 3,
                       "exclusions": ["严重失信"]},
    }
    return {**policy, **changes}


async def test_current_policies_are_listed_and_expired_ones_only_on_request(client):
    current = await (await client.get("/policies?on=2026-11-29")).json()
    ids = {p["id"] for p in current["policies"]}
    assert current["total"] >= 40 and "SD41" not in ids and "SD01" in ids
    everything = await (await client.get("/policies?all=1&on=2026-11-29")).json()
    assert any(p["id"] == "SD41" and not p["in_force"] for p in everything["policies"])
    assert (await client.get("/policies?on=yesterday")).status == 400
    spec = await (await client.get("/openapi.json")).json()
    assert {"/policies", "/policies/match", "/profiles/{profile_id}/suggestions"} <= set(spec["paths"])


async def test_publishing_needs_staff_and_reports_bad_rows(client):
    body = {"policies": [new_policy("T1"), {"id": "T2", "title": "缺发布机关"},
                         new_policy("T3", conditions={"region": ["济南"]}),
                         {k: v for k, v in new_policy("T4").items() if k != "conditions"}]}
    assert (await client.post("/policies", json=body, headers=auth())).status == 401
    response = await client.post("/policies", json=body, headers=auth(STAFF))
    result = await response.json()
    assert response.status == 201 and result["imported"] == ["T1", "T4"] and result["conditions_proposed"] == ["T4"]
    assert [e["row"] for e in result["errors"]] == [2, 3] and "issuer" in result["errors"][0]["reason"]
    listed = {p["id"]: p for p in (await (await client.get("/policies")).json())["policies"]}
    assert listed["T4"]["conditions"] == {"applicant_kind": ["企业"], "region": ["370100"], "industry": ["C"],
                                         "rd_ratio_min": 3, "exclusions": ["严重失信"]}
    assert (await client.post("/policies", json={"policies": "x"}, headers=auth(STAFF))).status == 400


async def test_match_gives_reasons_near_misses_and_the_deciding_questions(client):
    result = await (await client.post("/policies/match", json={"profile": COMPANY}, headers=auth())).json()
    eligible = {p["id"]: p for p in result["eligible"]}
    assert "SD03" in eligible and "SD06" in eligible  # 创新券 (济南, 科技型中小企业), 高企入库奖励
    assert all(c["status"] == "met" for c in eligible["SD03"]["conditions"])
    assert not any(p["id"] == "SD05" for p in result["near_misses"])  # 淄博 only: not a near miss for 济南
    lower = await (await client.post("/policies/match", json={"profile": {**COMPANY, "rd_ratio": 2.5}}, headers=auth())).json()
    near = {p["id"]: p for p in lower["near_misses"]}
    assert [c["reason"] for c in near["SD03"]["conditions"] if c["status"] == "unmet"] == ["研发投入占比需≥3%，贵单位为2.5%"]
    person = await (await client.post("/policies/match", json={"profile": {"kind": "个人", "region": "370102"}}, headers=auth())).json()
    assert person["questions"] and person["questions"][0]["question"].startswith("请问")
    bad = await client.post("/policies/match", json={"profile": {"kind": "公司", "revenue": "很多"}}, headers=auth())
    assert bad.status == 400 and "档案字段有误" in (await bad.json())["message"]
    assert (await client.post("/policies/match", json={}, headers=auth())).status == 400


async def test_a_published_policy_is_pushed_once_to_each_opted_in_profile_it_fits(client):
    await client.put("/profiles", json={"kind": "enterprise", "key": CREDIT_CODE, "data": {"facts": COMPANY}}, headers=auth())
    other = {**COMPANY, "region": "370303"}
    await client.put("/profiles", json={"kind": "enterprise", "key": "91370303MA3C4XYZ2B", "data": {"facts": other}}, headers=auth())
    for key, sender in ((CREDIT_CODE, "web-1"), ("91370303MA3C4XYZ2B", "web-2")):
        await client.post("/policy-subscriptions", json={"key": key, "sender_id": sender, "channel": "socketio"}, headers=auth())
    first = await (await client.post("/policies", json=new_policy("P1"), headers=auth(STAFF))).json()
    assert first["pushed"] == {"P1": 1}  # the 济南 company, not the 淄博 one
    again = await (await client.post("/policies", json=new_policy("P1", benefit="一次性奖励6万元"), headers=auth(STAFF))).json()
    assert again["pushed"] == {"P1": 0}
    pushes = (await (await client.get("/policy-pushes", headers=auth())).json())["pushes"]
    assert [(p["policy_id"], p["sender_id"]) for p in pushes] == [("P1", "web-1")]
    assert "退订政策推送" in pushes[0]["text"] and "济科字〔2026〕99号" in pushes[0]["text"]
    await client.post(f"/policy-pushes/{pushes[0]['id']}/delivered", json={}, headers=auth())
    counts = await (await client.get("/policies/P1/pushes", headers=auth(STAFF))).json()
    assert counts == {"policy_id": "P1", "queued": 1, "delivered": 1}
    # "退订政策推送": no further pushes to that conversation
    assert (await (await client.post("/policy-subscriptions/opt-out", json={"sender_id": "web-1"}, headers=auth())).json())["opted_out"] == 1
    later = await (await client.post("/policies", json=new_policy("P2"), headers=auth(STAFF))).json()
    assert later["pushed"] == {"P2": 0}
    expired = await (await client.post("/policies", json=new_policy("P3", valid_until="2026-01-31"), headers=auth(STAFF))).json()
    assert expired["pushed"] == {"P3": 0}


async def test_suggestions_follow_life_events_and_eligible_policies(client):
    items = (await (await client.get("/items")).json())["items"]
    birth = next(i["code"] for i in items if i["name"] == "出生登记")
    draft = {"idempotency_key": "birth-1", "item_code": birth, "applicant": {"id_number": ID_NUMBER}, "fields": {}}
    application = await (await client.post("/applications", json=draft, headers=auth())).json()
    await client.post(f"/applications/{application['id']}/submit", json={}, headers=auth())
    facts = {"kind": "个人", "region": "370102", "age": 30, "hukou": "本市", "education": "本科", "graduated_year": 2026,
             "employment_status": ["在职"]}
    await client.put("/profiles", json={"kind": "person", "key": ID_NUMBER, "data": {"facts": facts}}, headers=auth())
    profile = await (await client.post("/profiles/lookup", json={"key": ID_NUMBER}, headers=auth())).json()
    found = (await (await client.get(f"/profiles/{profile['profile_id']}/suggestions", headers=auth())).json())["suggestions"]
    names = [s["name"] for s in found]
    assert any("新生儿参加城乡居民基本医疗保险" in n for n in names)
    assert all(s["reason"].startswith("因为") for s in found)
    assert any(s["kind"] == "policy" for s in found)  # e.g. 济南市应届高校毕业生求职创业补贴
    assert (await client.get("/profiles/nope/suggestions", headers=auth())).status == 404
