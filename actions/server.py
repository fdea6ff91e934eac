"""The action server: rasa_sdk's Sanic app with Tongban's JSON logs and Prometheus /metrics.

    python -m actions.server [--port 5055] [--host 127.0.0.1] [--cors ORIGIN ...]

bot/run.py starts it. Unlike `python -m rasa_sdk`, which logs in colour, allows every
browser origin (CORS "*") and runs actions for anyone who can reach it, this allows no
browser origin unless `--cors` names some, and runs or lists actions only for callers
with ACTIONS_TOKEN (Rasa sends it, bot/endpoints.yml): only Rasa calls the action server.
rasa_sdk's app and its `/health` are unchanged; the app factory is module-level because
Sanic rebuilds the app in its worker process.

The catalogue and index are checked before serving, in a short-lived child process: a
missing or corrupt index stops the server at once, naming `make index`. Loading them in
this main process would fix multiprocessing's start method (bm25s's tqdm lock) before
Sanic sets it; the worker loads them for good before it serves its first request.
"""

from __future__ import annotations

import argparse
import hmac
import subprocess
import sys
from functools import partial

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic, response
from sanic.worker.loader import AppLoader

from actions.context import knowledge
from actions.metrics import add_metrics
from retrieval.index import IndexUnavailable
from ops.logs import configure_logging
from settings import get_settings

PROTECTED = ("/webhook", "/actions")
UNAUTHORIZED = {"error": "unauthorized", "message": "缺少或错误的访问令牌。"}


def require_token(app: Sanic, token: str) -> None:
    @app.on_request
    async def check(request: Request) -> response.HTTPResponse | None:
        given = request.args.get("token") or ""
        if request.path in PROTECTED and not hmac.compare_digest(given.encode(), token.encode()):
            return response.json(UNAUTHORIZED, status=401)
        return None


def check_knowledge() -> None:
    """Load the catalogue and index; exit with a message naming `make index` if they cannot be."""
    try:
        knowledge()
    except IndexUnavailable as exc:
        raise SystemExit(f"Tongban's action server cannot start: {exc}") from None


async def load_knowledge(app: Sanic) -> None:
    check_knowledge()


async def deliver_left_over(app: Sanic) -> None:
    """Applications another action server queued for a portal that was down, and did not
    deliver before it stopped (the outbox may be shared, QUEUE_DB_URL): deliver them here."""
    if not get_settings().portal_data_key:
        return
    from actions.portal_client import Outbox, PortalClient, keep_delivering

    outbox = Outbox()
    if outbox.pending():
        keep_delivering(PortalClient.from_settings(), outbox)


def create_app(executor: ActionExecutor, cors: list[str]) -> Sanic:
    configure_logging("actions")  # again in Sanic's worker process
    app = create_app_for_serve(executor, cors_origins=cors or "")
    require_token(app, get_settings().actions_token)
    add_metrics(app)
    app.register_listener(load_knowledge, "before_server_start")  # in the worker only
    app.register_listener(deliver_left_over, "after_server_start")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cors", nargs="*", default=[], help="browser origins allowed (default: none)")
    args = parser.parse_args(argv)
    if not get_settings().actions_token:
        raise SystemExit("ACTIONS_TOKEN must be set: actions run only for Rasa (python -m portal.keys makes one)")
    configure_logging("actions")
    checked = subprocess.run([sys.executable, "-c", "from actions.server import check_knowledge; check_knowledge()"])
    if checked.returncode:
        raise SystemExit(checked.returncode)
    executor = ActionExecutor()
    executor.register_package("actions")
    loader = AppLoader(factory=partial(create_app, executor, args.cors))
    app = loader.load()
    app.prepare(host=args.host, port=args.port, workers=1)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
