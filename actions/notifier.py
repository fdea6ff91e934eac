"""Status changes pushed to applicants without them asking.

A department moves an application along, or answers a 12345 work order, on the portal,
which writes a notification for the channel and conversation it came from. This process
takes them from
the portal and pushes each into that conversation (channels/push.py), then marks it
delivered; a failed push is retried next round (never lost). `python -m actions.notifier`
(bot/run.py starts it) serves /health and Prometheus /metrics on NOTIFIER_PORT (127.0.0.1).

Any number may run (TRACKER_STORE=redis): each takes a notification with a Redis lease
(SET NX with expiry) before pushing it, so no two push the same one; a notifier that dies
between its push and the portal's "delivered" leaves a lease that runs out, and the next
one first looks in the conversation for the push (its notification id rides along) rather
than pushing it twice.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from bot import stores
from channels.push import PushFailed, conversation_events, push_message
from ops.logs import configure_logging
from settings import get_settings

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
LEASE_SECONDS = 60
PUSHES = Counter("tongban_notifier_pushes_total", "Status changes pushed into conversations", ["outcome"])
ROUNDS = Counter("tongban_notifier_rounds_total", "Polls of the portal's notifications", ["outcome"])


def take(note_id: int) -> bool:
    """This notifier's lease on a notification (always granted without a shared Redis)."""
    settings = get_settings()
    shared = stores.shared_redis(settings)
    if shared is None:
        return True
    return bool(shared.set(stores.shared_key(settings, "notify", str(note_id)), b"1", nx=True, ex=LEASE_SECONDS))


def release(note_id: int) -> None:
    settings = get_settings()
    if (shared := stores.shared_redis(settings)) is not None:
        shared.delete(stores.shared_key(settings, "notify", str(note_id)))


async def already_pushed(sender_id: str, note_id: int) -> bool:
    """Is this notification in the conversation already (pushed by a notifier that died
    before the portal heard of it)?"""
    for event in await conversation_events(sender_id):
        change = ((event.get("data") or {}).get("custom") or {}).get("status_change") or {}
        if event.get("event") == "bot" and change.get("notification_id") == note_id:
            return True
    return False


async def deliver_notifications(client: PortalClient) -> int:
    """Push what the portal has not yet delivered; returns how many were pushed."""
    pushed = 0
    for note in (await client.call("GET", "/notifications"))["notifications"]:
        if not take(note["id"]):
            continue  # another notifier has it
        if note.get("sender_id"):
            try:
                if not await already_pushed(note["sender_id"], note["id"]):
                    # of an application, or of a 12345 work order (portal/workorders.py)
                    change = {"application_id": note["application_id"], "work_order_id": note.get("work_order_id"), "notification_id": note["id"]}
                    await push_message(note["sender_id"], note["text"], {"status_change": change})
                    PUSHES.labels("pushed").inc()
                    pushed += 1
            except PushFailed as exc:
                PUSHES.labels("failed").inc()
                log.warning("push of notification %s failed, retrying later: %s", note["id"], exc)
                release(note["id"])  # this or another notifier tries again next round
                continue
        # Without a conversation to push into, the applicant sees it when asking for progress.
        await client.call("POST", f"/notifications/{note['id']}/delivered", {})
    return pushed


async def deliver_policy_pushes(client: PortalClient) -> int:
    """Push new policies to the conversations of the profiles they fit (queued once per
    policy and profile by the portal); one whose subscriber opted out since is dropped."""
    pushed = 0
    for push in (await client.call("GET", "/policy-pushes"))["pushes"]:
        if not push.get("opted_out"):
            try:
                await push_message(push["sender_id"], push["text"], {"policy_push": {"policy_id": push["policy_id"]}})
            except PushFailed as exc:
                PUSHES.labels("failed").inc()
                log.warning("policy push %s failed, retrying later: %s", push["id"], exc)
                continue
            PUSHES.labels("pushed").inc()
            pushed += 1
        await client.call("POST", f"/policy-pushes/{push['id']}/delivered", {})
    return pushed


async def notify_forever(client: PortalClient, every: float = POLL_SECONDS) -> None:
    while True:
        try:
            await deliver_notifications(client)
            await deliver_policy_pushes(client)
            ROUNDS.labels("ok").inc()
        except (PortalUnavailable, PortalRejected) as exc:
            ROUNDS.labels("portal_unavailable").inc()
            log.debug("notifications not fetched: %s", exc)
        except Exception:  # a bug here must not stop later pushes
            ROUNDS.labels("error").inc()
            log.exception("notification round failed")
        await asyncio.sleep(every)


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics(_: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def main() -> None:
    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = get_settings().notifier_port
    await web.TCPSite(runner, "127.0.0.1", port).start()
    log.info("notifier up; /health and /metrics on 127.0.0.1:%d", port)
    try:
        await notify_forever(PortalClient.from_settings())
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    configure_logging("notifier")
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # bot/run.py stops it with SIGINT
        pass
