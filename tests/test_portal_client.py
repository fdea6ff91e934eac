"""Submissions survive a portal that goes down mid-flow: queued on disk, delivered once."""

import asyncio
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from cryptography.fernet import Fernet
from tenacity import wait_fixed

from actions import portal_client
from actions.portal_client import Outbox, PortalClient, PortalUnavailable, deliver_pending, keep_delivering, submit_or_queue
from catalogue.store import load_catalogue
from settings import ROOT
from tests.chat import PORT_BASE

PORT = PORT_BASE + 99
TOKEN = "service-token"


def start_portal(var_dir, key):
    env = {
        **os.environ, "PORTAL": "shandong", "TONGBAN_VAR": str(var_dir), "PORTAL_URL": f"http://127.0.0.1:{PORT}",
        "PORTAL_DATA_KEY": key, "PORTAL_SERVICE_TOKEN": TOKEN, "PORTAL_STAFF_TOKEN": "staff-token",
    }
    process = subprocess.Popen([sys.executable, "-m", "portal"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("portal did not start")


@pytest.fixture
def portal_dir(tmp_path):
    return tmp_path, Fernet.generate_key().decode()


async def test_portal_down_mid_flow_then_back(portal_dir, sd_settings):
    var_dir, key = portal_dir
    code = next(c for c, i in load_catalogue(sd_settings).items.items() if i.name == "居住证签注")
    client = PortalClient(f"http://127.0.0.1:{PORT}", TOKEN)
    outbox = Outbox(var_dir / "outbox.sqlite", key)
    application = {
        "idempotency_key": "sender-1:居住证签注:1", "item_code": code,
        "applicant": {"name": "张三", "phone": "13812345678"}, "fields": {"reason": "工作"}, "sender_id": "sender-1",
    }
    portal = start_portal(var_dir, key)
    try:
        first = await submit_or_queue(client, outbox, application)
        assert first["receipt_number"].startswith("SD")
    finally:
        portal.terminate()
        portal.wait(10)
    # The portal is down: the next submission is queued, the user is not left hanging.
    second = {**application, "idempotency_key": "sender-2:居住证签注:1"}
    started = time.perf_counter()
    assert await submit_or_queue(client, outbox, second) is None
    assert time.perf_counter() - started < 5
    assert [a["idempotency_key"] for a in outbox.pending()] == ["sender-2:居住证签注:1"]
    assert await deliver_pending(client, outbox) == 0  # still down: kept
    portal = start_portal(var_dir, key)
    try:
        assert await deliver_pending(client, outbox) == 1
        assert outbox.pending() == []
        delivered = outbox.result("sender-2:居住证签注:1")
        # A retry of either submission finds the same application: nothing duplicated.
        again = await client.submit(second)
        assert again["receipt_number"] == delivered["receipt_number"] and again["id"] == delivered["id"]
        assert (await client.submit(application))["receipt_number"] == first["receipt_number"]
        progress = await client.progress(delivered["receipt_number"], "13812345678")
        assert [e["status"] for e in progress["timeline"]] == ["已提交"]
        assert b"13812345678" not in (var_dir / "outbox.sqlite").read_bytes()  # encrypted at rest
        mine = outbox.of_sender("sender-1")
        assert [r["receipt_number"] for _, r in mine] == [first["receipt_number"], delivered["receipt_number"]]
    finally:
        portal.terminate()
        portal.wait(10)


async def test_a_work_order_filed_while_the_portal_is_down_is_delivered_once(portal_dir):
    var_dir, key = portal_dir
    client = PortalClient(f"http://127.0.0.1:{PORT}", TOKEN)
    outbox = Outbox(var_dir / "outbox.sqlite", key)
    order = {"idempotency_key": "wo-1", "content": "路灯坏了一周", "place": "历下区阳光小区门口", "happened": "上周五起",
             "contact": "13912345678", "contact_masked": "139****5678", "sender_id": "sender-3"}
    entry = {"idempotency_key": "wo-1", "sender_id": "sender-3", "work_order": order}
    assert await submit_or_queue(client, outbox, entry) is None  # the portal is down: kept
    assert b"13912345678" not in (var_dir / "outbox.sqlite").read_bytes()
    portal = start_portal(var_dir, key)
    try:
        assert await deliver_pending(client, outbox) == 1
        number = outbox.result("wo-1")["number"]
        assert number.startswith("WO") and (await client.submit(entry))["number"] == number  # a retry files nothing new
        mine = (await client.call("POST", "/work-orders/lookup", {"sender_id": "sender-3"}))["work_orders"]
        assert [o["number"] for o in mine] == [number]
    finally:
        portal.terminate()
        portal.wait(10)


async def test_the_outbox_is_retried_until_the_portal_has_everything(portal_dir, monkeypatch):
    var_dir, key = portal_dir
    outbox = Outbox(var_dir / "outbox.sqlite", key)

    class Portal:  # down for two rounds, then back
        calls = 0

        async def submit(self, application):
            self.calls += 1
            if self.calls <= 2:
                raise PortalUnavailable("connection refused")
            return {"receipt_number": f"SD{self.calls}"}

    outbox.put({"idempotency_key": "sender-4:1", "sender_id": "sender-4"})
    outbox.release("sender-4:1")  # as submit_or_queue leaves it when the portal is down
    portal = Portal()
    monkeypatch.setattr(portal_client, "_delivery", None)
    keep_delivering(portal, outbox, wait=wait_fixed(0.01))
    await asyncio.wait_for(portal_client._delivery, 10)  # ends once nothing waits
    assert (portal.calls, outbox.pending(), outbox.result("sender-4:1")) == (3, [], {"receipt_number": "SD3"})
