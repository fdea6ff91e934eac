"""The action server: rasa_sdk's Sanic app with Tongban's JSON logs and Prometheus /metrics.

    python -m actions.server [--port 5055] [--host 127.0.0.1] [--cors ORIGIN ...]

bot/run.py starts it. Unlike `python -m rasa_sdk`, which logs in colour and allows every
browser origin (CORS "*"), this allows none unless `--cors` names some: only Rasa calls
the action server, server to server. rasa_sdk's app and its `/health` are unchanged;
the app factory is module-level because Sanic rebuilds the app in its worker process.
"""

from __future__ import annotations

import argparse
from functools import partial

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.worker.loader import AppLoader

from actions.metrics import add_metrics
from ops.logs import configure_logging

def create_app(executor: ActionExecutor, cors: list[str]) -> Sanic:
    configure_logging("actions")  # again in Sanic's worker process
    app = create_app_for_serve(executor, cors_origins=cors or "")
    add_metrics(app)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cors", nargs="*", default=[], help="browser origins allowed (default: none)")
    args = parser.parse_args(argv)
    configure_logging("actions")
    executor = ActionExecutor()
    executor.register_package("actions")
    loader = AppLoader(factory=partial(create_app, executor, args.cors))
    app = loader.load()
    app.prepare(host=args.host, port=args.port, workers=1)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
