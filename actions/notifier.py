"""Status changes pushed to applicants without them asking.

A department moves an application along on the portal, which writes a notification for
the channel and conversation the application came from. This process takes them from
the portal and pushes each into that conversation (channels/push.py), then marks it
delivered; a failed push is retried next round (at least once, never lost). One per
deployment, however many action servers: `python -m actions.notifier` (bot/run.py
starts it).
"""

from __future__ import annotations

import asyncio
import logging

from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from channels.push import PushFailed, push_message

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0


async def deliver_notifications(client: PortalClient) -> int:
    """Push what the portal has not yet delivered; returns how many were pushed."""
    pushed = 0
    for note in (await client.call("GET", "/notifications"))["notifications"]:
        if note.get("sender_id"):
            try:
                await push_message(note["sender_id"], note["text"], {"status_change": {"application_id": note["application_id"]}})
            except PushFailed as exc:
                log.warning("push of notification %s failed, retrying later: %s", note["id"], exc)
                continue
            pushed += 1
        # Without a conversation to push into, the applicant sees it when asking for progress.
        await client.call("POST", f"/notifications/{note['id']}/delivered", {})
    return pushed


async def notify_forever(client: PortalClient, every: float = POLL_SECONDS) -> None:
    while True:
        try:
            await deliver_notifications(client)
        except (PortalUnavailable, PortalRejected) as exc:
            log.debug("notifications not fetched: %s", exc)
        except Exception:  # a bug here must not stop later pushes
            log.exception("notification round failed")
        await asyncio.sleep(every)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(notify_forever(PortalClient.from_settings()))
