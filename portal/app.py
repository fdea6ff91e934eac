"""The portal service's app factory: `python -m portal` serves it (PORTAL_URL's port)."""

from __future__ import annotations

import asyncio
import logging
import sys
from urllib.parse import urlparse

from aiohttp import web

from catalogue.store import load_catalogue
from ops.logs import configure_logging
from portal.db import make_engine
from portal.migrate import upgrade
from portal.openapi import openapi_json
from portal.policy_store import PolicyDesk
from portal.policy_views import rebuild_book
from portal.protection import Protector
from portal.routes import add_routes
from portal.store import Portal
from portal.workorders import WorkOrders
from ops.http import MAX_BODY, measured
from portal.views import errors
from settings import Settings, get_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or get_settings()
    if not settings.portal_service_token or not settings.portal_staff_token:
        raise SystemExit("PORTAL_SERVICE_TOKEN and PORTAL_STAFF_TOKEN must be set (python -m portal.keys makes them)")
    app = web.Application(middlewares=[measured("portal"), errors], client_max_size=MAX_BODY)
    app["settings"] = settings
    app["catalogue"] = load_catalogue(settings)
    app["tokens"] = {"service": settings.portal_service_token, "staff": settings.portal_staff_token}
    protector = Protector(settings.portal_data_key)

    async def open_database(app: web.Application) -> None:
        await asyncio.to_thread(upgrade, settings)  # Alembic runs its own event loop
        app["portal"] = Portal(make_engine(settings.portal_database), protector)
        app["policy_desk"] = PolicyDesk(app["portal"].engine, protector)
        app["work_orders"] = WorkOrders(app["portal"].engine, protector)
        await rebuild_book(app)

    async def close_database(app: web.Application) -> None:
        await app["portal"].engine.dispose()

    app.on_startup.append(open_database)
    app.on_cleanup.append(close_database)
    add_routes(app)
    app.router.add_get("/openapi.json", openapi_json)
    return app


def main() -> None:
    configure_logging("portal")
    settings = get_settings()
    url = urlparse(settings.portal_url)
    web.run_app(create_app(settings), host=url.hostname or "127.0.0.1", port=url.port or 8088, access_log=None)


if __name__ == "__main__":
    sys.exit(main())
