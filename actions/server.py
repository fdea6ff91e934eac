"""The action server: rasa_sdk's Sanic app with Tongban's JSON logs and Prometheus /metrics.

    python -m actions.server [--port 5055] [--host 127.0.0.1] [--cors ORIGIN ...]

bot/run.py starts it. Unlike `python -m rasa_sdk`, which logs in colour, allows every
browser origin (CORS "*") and runs actions for anyone who can reach it, this allows no
browser origin unless `--cors` names some, and runs or lists actions only for callers
with ACTIONS_TOKEN (Rasa sends it, bot/endpoints.yml): only Rasa calls the action server.
rasa_sdk's app and its `/health` are unchanged.

One process (Sanic's single-process mode; scale with more servers, README "Running many
instances"): it loads the catalogue, index, embedding models and policy searcher and runs
one search of each kind before it listens, so /health answers only when the first
question will be answered at full speed. A missing or corrupt index stops it at once,
naming `make index`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hmac
import logging
import time

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic, response

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


log = logging.getLogger(__name__)


def load_knowledge() -> None:
    """Load the catalogue, index, models and policy searcher, and warm each search up (the
    embedders' sessions, jieba's dictionary); exit naming `make index` if they cannot be."""
    from actions.place_questions import place_questions
    from actions.policy import policy_searcher

    started = time.perf_counter()
    try:
        searcher, _ = knowledge()
    except IndexUnavailable as exc:
        raise SystemExit(f"Tongban's action server cannot start: {exc}") from None
    searcher.search("孩子出生后怎么办理户口登记")
    place_questions(searcher)  # fitted once, before the first message
    policy_searcher().search("小微企业有哪些税收优惠政策", None)
    log.info("knowledge loaded and warmed up in %.1f s", time.perf_counter() - started)
    # What loading made lives as long as the process: out of the garbage collector's sight,
    # a full collection under load no longer walks it (pauses of 0.2-0.4 s, bot/serve.py).
    gc.collect()
    gc.freeze()
    from actions.hotline import start_training

    start_training()  # the work orders' classifier, in the background: /health need not wait


OUTBOX_SWEEP_SECONDS = 10.0


async def sweep_outbox(app: Sanic) -> None:
    """Every few seconds, deliver what waits in the outbox — including applications another
    action server queued for a portal that was down and did not live to deliver (the
    outbox may be shared, QUEUE_DB_URL). Each is leased to one server at a time."""
    if not get_settings().portal_data_key:
        return
    from actions.portal_client import Outbox, PortalClient, deliver_pending

    client, outbox = PortalClient.from_settings(), Outbox()

    async def sweep() -> None:
        while True:
            await asyncio.sleep(OUTBOX_SWEEP_SECONDS)
            try:
                if delivered := await deliver_pending(client, outbox):
                    log.info("delivered %d queued applications to the portal", delivered)
            except Exception:  # the queue's database is down: try again next round
                log.exception("outbox sweep failed")

    app.add_task(sweep())


def create_app(executor: ActionExecutor, cors: list[str]) -> Sanic:
    app = create_app_for_serve(executor, cors_origins=cors or "")
    require_token(app, get_settings().actions_token)
    add_metrics(app)
    app.register_listener(sweep_outbox, "after_server_start")
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
    load_knowledge()
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, args.cors)
    app.prepare(host=args.host, port=args.port, single_process=True, motd=False)
    Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
