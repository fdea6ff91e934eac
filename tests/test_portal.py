"""The portal API against a real database: SQLite and the machine's PostgreSQL."""

import asyncio
import uuid
from dataclasses import replace

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet

from portal.app import create_app

SERVICE, STAFF = "service-token-for-tests", "staff-token-for-tests"
ID_NUMBER, PHONE = "370102199003071234", "13812345678"
PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
async def client(request, sd_settings, tmp_path):
    database = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite'}"
    else:
        database = f"tongban_test_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(f"{PG}/postgres")
        await admin.execute(f'CREATE DATABASE "{database}"')
        await admin.close()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    settings = replace(
        sd_settings, var_dir=tmp_path, portal_db_url=url, portal_data_key=Fernet.generate_key().decode(),
        portal_service_token=SERVICE, portal_staff_token=STAFF,
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        test_client.raw_database = tmp_path / "portal.sqlite" if database is None else database
        yield test_client
    if database:
        admin = await asyncpg.connect(f"{PG}/postgres")
        await admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        await admin.close()


def auth(token=SERVICE):
    return {"Authorization": f"Bearer {token}"}


async def item_code(client):
    items = (await (await client.get("/items")).json())["items"]
    return next(i["code"] for i in items if i["name"] == "居住证签注")


async def test_openapi_and_catalogue(client):
    spec = await (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.") and "/applications/{application_id}/submit" in spec["paths"]
    themes = (await (await client.get("/themes")).json())["themes"]
    assert any(t["name"] == "开办劳务公司" for t in themes)
    assert (await client.get("/items/NOPE")).status == 404


async def test_nothing_is_reachable_without_the_token(client):
    for method, path in [("post", "/applications"), ("post", "/progress/SD1"), ("post", "/profiles/lookup")]:
        assert (await getattr(client, method)(path, json={})).status == 401
        assert (await getattr(client, method)(path, json={}, headers=auth("forged"))).status == 401
    response = await client.post("/staff/applications/SD1/status", json={"status": "办结"}, headers=auth(SERVICE))
    assert response.status == 401  # the service token is not a staff token


async def test_draft_update_attach_submit_is_idempotent_and_progress_needs_the_applicant(client):
    code = await item_code(client)
    draft = {
        "idempotency_key": "conv-1:居住证签注", "item_code": code, "channel": "rest", "sender_id": "u1",
        "applicant": {"name": "张三", "id_number": ID_NUMBER, "phone": PHONE}, "fields": {"address": "历下区泉城路1号"},
    }
    first = await client.post("/applications", json=draft, headers=auth())
    assert first.status == 201
    application = await first.json()
    again = await (await client.post("/applications", json=draft, headers=auth())).json()
    assert again["id"] == application["id"]  # a retried create makes one application
    path = f"/applications/{application['id']}"
    assert (await (await client.patch(path, json={"fields": {"reason": "工作"}}, headers=auth())).json())["fields"] == ["address", "reason"]
    await client.post(f"{path}/materials", json={"name": "居住证", "reference": "files/abc"}, headers=auth())
    submitted = await (await client.post(f"{path}/submit", json={}, headers=auth())).json()
    resubmitted = await (await client.post(f"{path}/submit", json={}, headers=auth())).json()
    receipt = submitted["receipt_number"]
    assert receipt.startswith("SD") and resubmitted["receipt_number"] == receipt
    assert [e["status"] for e in resubmitted["timeline"]] == ["已提交"]
    assert (await client.patch(path, json={"fields": {"x": "y"}}, headers=auth())).status == 409
    # progress: only with the applicant's ID or phone, and the same 404 otherwise
    assert (await client.post(f"/progress/{receipt}", json={"applicant": "110101199001011234"}, headers=auth())).status == 404
    assert (await client.post("/progress/SD00000000000000", json={"applicant": PHONE}, headers=auth())).status == 404
    moved = await client.post(f"/staff/applications/{receipt}/status", json={"status": "已受理"}, headers=auth(STAFF))
    assert moved.status == 200
    timeline = (await (await client.post(f"/progress/{receipt}", json={"applicant": PHONE}, headers=auth())).json())["timeline"]
    assert [e["status"] for e in timeline] == ["已提交", "已受理"]
    notes = (await (await client.get("/notifications", headers=auth())).json())["notifications"]
    assert notes[0]["sender_id"] == "u1" and "已受理" in notes[0]["text"] and receipt in notes[0]["text"]
    await client.post(f"/notifications/{notes[0]['id']}/delivered", json={}, headers=auth())
    assert (await (await client.get("/notifications", headers=auth())).json())["notifications"] == []


async def test_concurrent_retries_make_one_application(client):
    code = await item_code(client)
    draft = {"idempotency_key": "race", "item_code": code, "applicant": {"phone": PHONE}, "fields": {}}
    responses = await asyncio.gather(*[client.post("/applications", json=draft, headers=auth()) for _ in range(5)])
    ids = {(await r.json()).get("id") for r in responses if r.status == 201}
    assert len(ids) == 1 and all(r.status in (201, 409) for r in responses)
    application_id = ids.pop()
    submits = await asyncio.gather(*[client.post(f"/applications/{application_id}/submit", json={}, headers=auth()) for _ in range(5)])
    receipts = {(await r.json())["receipt_number"] for r in submits if r.status == 200}
    assert len(receipts) == 1


async def test_profiles_prefill_and_keep_history(client):
    await client.put("/profiles", json={"kind": "person", "key": ID_NUMBER, "data": {"name": "张三", "phone": PHONE}}, headers=auth())
    await client.put("/profiles", json={"kind": "person", "key": ID_NUMBER, "data": {"address": "历下区"}}, headers=auth())
    profile = await (await client.post("/profiles/lookup", json={"key": ID_NUMBER}, headers=auth())).json()
    assert profile["data"] == {"name": "张三", "phone": PHONE, "address": "历下区"}
    assert (await client.post("/profiles/lookup", json={"key": "999"}, headers=auth())).status == 404


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1,2]", b'{"idempotency_key": 5}', b'{"item_code": "' + b"x" * 70_000 + b'"}', b"\xff\xfe", b""]
)
async def test_bad_requests_get_4xx_with_a_chinese_message(client, raw):
    response = await client.post("/applications", data=raw, headers={**auth(), "Content-Type": "application/json"})
    assert 400 <= response.status < 500
    assert "message" in await response.json()


async def test_personal_numbers_are_encrypted_at_rest(client):
    code = await item_code(client)
    draft = {"idempotency_key": "k", "item_code": code, "applicant": {"id_number": ID_NUMBER, "phone": PHONE}, "fields": {"phone": PHONE}}
    await client.post("/applications", json=draft, headers=auth())
    await client.put("/profiles", json={"kind": "person", "key": ID_NUMBER, "data": {"id_number": ID_NUMBER}}, headers=auth())
    if isinstance(client.raw_database, str):  # PostgreSQL: dump every table's rows as text
        connection = await asyncpg.connect(f"{PG}/{client.raw_database}")
        tables = [r["tablename"] for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        dump = "".join([str(await connection.fetch(f'SELECT * FROM "{t}"')) for t in tables])
        await connection.close()
        raw = dump.encode()
    else:
        raw = client.raw_database.read_bytes()
    assert ID_NUMBER.encode() not in raw and PHONE.encode() not in raw


async def test_staff_page_is_served(client):
    response = await client.get("/staff")
    assert response.status == 200 and "部门办件处理" in await response.text()


async def test_a_paused_form_is_resumed_once_and_only_by_its_applicant(client):
    code = await item_code(client)
    paused = {
        "idempotency_key": "pause-1", "item_code": code, "paused": True, "channel": "rest", "sender_id": "u1",
        "applicant": {"id_number": ID_NUMBER, "phone": PHONE}, "fields": {"form": "residence_permit", "answers": {"applicant_name": "张三"}},
    }
    assert (await (await client.post("/applications", json=paused, headers=auth())).json())["status"] == "暂存"
    wrong = await client.post("/paused-applications/claim", json={"id_number": ID_NUMBER, "phone": "13900000000"}, headers=auth())
    assert wrong.status == 404  # the ID number alone does not open it
    claimed = await client.post("/paused-applications/claim", json={"id_number": ID_NUMBER, "phone": PHONE}, headers=auth())
    assert claimed.status == 200
    body = await claimed.json()
    assert body["item_code"] == code and body["fields"]["answers"] == {"applicant_name": "张三"}
    again = await client.post("/paused-applications/claim", json={"id_number": ID_NUMBER, "phone": PHONE}, headers=auth())
    assert again.status == 404  # resumed once
    assert (await client.post("/paused-applications/claim", json={"id_number": 5}, headers=auth())).status == 400
