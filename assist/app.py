"""The agent-assist service's app factory: `python -m assist` serves it (ASSIST_URL's port)."""

from __future__ import annotations

import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from actions.handoff_queue import HandoffQueue
from assist.classifier import LABELLED_FILE, build_classifier
from assist.routes import add_routes
from assist.store import AssistStore
from assist.suggest import Assistant, ReplyTemplate
from assist.views import errors, require_agent
from documents.service import open_documents
from ops.http import MAX_BODY, measured
from ops.logs import configure_logging
from policies.book import searchable_policies
from retrieval.policies import PolicySearcher
from retrieval.service import open_searcher
from settings import Settings, get_settings

log = logging.getLogger(__name__)
SESSION_SECONDS = 12 * 3600  # one shift
RELOAD_SECONDS = 30  # how often the service looks for new labelled work orders (assist.train)


def load_assistant(settings: Settings) -> Assistant:
    searcher, catalogue = open_searcher(settings, update=False)
    # Policies are few and filtered by category: the fast embedder is enough, and the
    # slower one's query encoding would cost the assist call a second time.
    fast = [e for e in searcher.index.embedders if e.name.startswith("use")] or searcher.index.embedders
    policies = PolicySearcher(searchable_policies(catalogue.policies.values(), settings), fast, searcher.index.lexicon)
    template = ReplyTemplate.load(settings.data_dir / "hotline" / "reply.yml")
    return Assistant(build_classifier(settings), searcher, catalogue, policies, template, open_documents(settings))


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> web.Application:
    """The app; `assistant` lets several apps of one process share the loaded models."""
    settings = settings or get_settings()
    if not settings.assist_session_key:
        raise SystemExit("ASSIST_SESSION_KEY must be set (python -m portal.keys makes one)")
    app = web.Application(client_max_size=MAX_BODY)
    storage = EncryptedCookieStorage(
        Fernet(settings.assist_session_key.encode()), cookie_name="TONGBAN_AGENT", max_age=SESSION_SECONDS, httponly=True, samesite="Strict"
    )
    setup_sessions(app, storage)  # the session middleware runs first
    app.middlewares.extend([measured("assist"), errors, require_agent])
    app["settings"] = settings
    app["store"] = AssistStore(settings.assist_database)
    app["queue"] = HandoffQueue(settings=settings)  # var/handoff.sqlite, or QUEUE_DB_URL
    # One worker: the models are not shared between threads, and a request takes ~50 ms.
    app["worker"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assist")

    async def load_models(app: web.Application) -> None:
        app["assistant"] = assistant or await asyncio.get_running_loop().run_in_executor(app["worker"], load_assistant, settings)

    async def stop_worker(app: web.Application) -> None:
        app["worker"].shutdown(wait=False)

    async def retrain_on_new_labels(app: web.Application):
        task = asyncio.create_task(_watch_labelled(app, settings))
        yield
        task.cancel()

    app.on_startup.append(load_models)
    app.cleanup_ctx.append(retrain_on_new_labels)
    app.on_cleanup.append(stop_worker)
    add_routes(app)
    return app


def _labelled_mtime(settings: Settings) -> float:
    path = settings.var_dir / LABELLED_FILE
    return path.stat().st_mtime if path.exists() else 0.0


async def _watch_labelled(app: web.Application, settings: Settings) -> None:
    """Retrain the classifier when `python -m assist.train` changed the labelled work orders."""
    seen = _labelled_mtime(settings)
    while True:
        await asyncio.sleep(RELOAD_SECONDS)
        mtime = _labelled_mtime(settings)
        if mtime == seen or "assistant" not in app:  # unchanged, or the first models still loading
            continue
        seen = mtime
        try:
            classifier = await asyncio.get_running_loop().run_in_executor(app["worker"], build_classifier, settings)
        except Exception:  # a bad file must not stop the service: keep the old model
            log.exception("retraining the hotline classifier failed; the previous one stays")
            continue
        app["assistant"].classifier = classifier
        log.info("hotline classifier retrained with the new labelled work orders")


def main() -> None:
    configure_logging("assist")
    settings = get_settings()
    url = urlparse(settings.assist_url)
    web.run_app(create_app(settings), host=url.hostname or "127.0.0.1", port=url.port or 8090, access_log=None)


if __name__ == "__main__":
    sys.exit(main())
