"""What several machines share, behind the interfaces one machine uses: the vault, WeChat's
retry filter and offered choices, and the rate limits in Redis; the submission outbox and
the handoff queue in PostgreSQL. Each store is checked on both backends with two
instances standing for two hosts. The machine's Redis (a DB and key prefix of this run)
and PostgreSQL (a database of this run), removed afterwards."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg
import pytest
import redis
from cryptography.fernet import Fernet

from settings import get_settings

REDIS_DB = 13
PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def shared(monkeypatch, tmp_path):
    """Settings for 'many machines': TRACKER_STORE=redis, QUEUE_DB_URL on PostgreSQL."""
    prefix = f"tbshared{uuid.uuid4().hex[:8]}"
    database = f"tongban_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    for name, value in {
        "TRACKER_STORE": "redis", "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}", "REDIS_KEY_PREFIX": prefix,
        "QUEUE_DB_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "PORTAL_DATA_KEY": Fernet.generate_key().decode(), "TONGBAN_VAR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield redis.Redis(db=REDIS_DB), prefix
    get_settings.cache_clear()
    store = redis.Redis(db=REDIS_DB)
    if keys := list(store.scan_iter(match=f"{prefix}:*")):
        store.delete(*keys)
    from actions.queue_db import _engine

    _engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}").dispose()
    _engine.cache_clear()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {database} WITH (FORCE)")


def test_vault_in_redis_is_encrypted_shared_and_expires(shared):
    from channels.vault import TTL_SECONDS, Vault

    store, prefix = shared
    channel_host, actions_host = Vault(), Vault()  # the channel on one machine, the action server on another
    channel_host.put("me", [("3701**********1234", "370102199001011234")])
    assert actions_host.find("me", "我的身份证号是3701**********1234") == "370102199001011234"
    stored = store.hgetall(f"{prefix}:vault:me")
    assert stored and b"370102199001011234" not in b"".join(stored.values())
    assert TTL_SECONDS - 5 <= store.ttl(f"{prefix}:vault:me") <= TTL_SECONDS
    actions_host.forget("me")
    assert channel_host.get("me", "3701**********1234") is None


def test_wechat_retry_filter_and_choices_are_shared(shared):
    from channels.ttl import TTLDict

    host_a, host_b = TTLDict(60, name="wechat:seen"), TTLDict(60, name="wechat:seen")
    assert host_a.add("msg-1") and not host_b.add("msg-1") and host_b.add("msg-2")
    choices_a, choices_b = TTLDict(60, name="wechat:choices"), TTLDict(60, name="wechat:choices")
    choices_a["me"] = ["/choose{\"n\":1}", "/choose{\"n\":2}"]
    assert choices_b.pop("me") == ["/choose{\"n\":1}", "/choose{\"n\":2}"]
    assert choices_a.pop("me") is None  # offered choices hold for the next message only
    short = TTLDict(0.2, name="wechat:seen")
    assert short.add("msg-3")
    time.sleep(0.3)
    assert short.add("msg-3")  # expired


def test_one_rate_limit_across_rasa_servers(shared):
    from channels.intake import limiter_from_settings

    host_a, host_b = limiter_from_settings(), limiter_from_settings()
    burst = get_settings().rate_limit_burst
    allowed = [(host_a if i % 2 else host_b).allow("rest:me") for i in range(burst + 5)]
    assert allowed.count(True) == burst and not allowed[-1]
    assert host_b.allow("rest:someone-else")


def test_outbox_in_postgresql_hands_each_application_to_one_worker(shared):
    from actions.portal_client import Outbox, deliver_pending

    host_a, host_b = Outbox(), Outbox()
    for n in range(6):
        host_a.put({"idempotency_key": f"k{n}", "sender_id": "me", "answers": {"n": n}})
        host_a.release(f"k{n}")  # the portal was down: queued for the workers
    host_a.put({"idempotency_key": "k0", "sender_id": "me"})  # a retried put changes nothing
    assert [a["idempotency_key"] for a in host_b.pending()] == [f"k{n}" for n in range(6)]

    submitted: list[str] = []

    class Portal:
        async def submit(self, application):
            await asyncio.sleep(0.01)
            submitted.append(application["idempotency_key"])
            return {"receipt_number": f"SD-{application['idempotency_key']}"}

    async def two_workers():
        return await asyncio.gather(deliver_pending(Portal(), host_a), deliver_pending(Portal(), host_b))

    assert sum(asyncio.run(two_workers())) == 6
    assert sorted(submitted) == [f"k{n}" for n in range(6)]  # each once
    assert host_b.pending() == [] and host_a.result("k3") == {"receipt_number": "SD-k3"}
    assert [r["receipt_number"] for _, r in host_b.of_sender("me")] == [f"SD-k{n}" for n in range(6)]


def test_outbox_lease_runs_out_for_a_worker_that_died(shared, monkeypatch):
    import actions.portal_client as portal_client

    monkeypatch.setattr(portal_client, "LEASE_SECONDS", 0.2)
    host_a, host_b = portal_client.Outbox(), portal_client.Outbox()
    host_a.put({"idempotency_key": "lost", "sender_id": "me"})  # host A dies before submitting
    assert host_b.lease() is None
    time.sleep(0.3)
    assert host_b.lease()["idempotency_key"] == "lost"


def test_handoff_queue_in_postgresql_is_shared(shared):
    from actions.handoff_queue import HandoffQueue

    actions_host, assist_host = HandoffQueue(), HandoffQueue()
    ticket = actions_host.add("me", "rest", [{"from": "user", "text": "转人工"}])
    assert [h.id for h in assist_host.waiting()] == [ticket]
    assist_host.add_reply(ticket, "agent1", "您好，我是人工客服")
    assert actions_host.get(ticket).status == "serving"
    assert [r["text"] for r in actions_host.replies(ticket)] == ["您好，我是人工客服"]
    assist_host.set_status(ticket, "closed")
    assert actions_host.open() == []
