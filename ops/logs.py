"""Log lines of the services we own (portal, action server, notifier): one JSON object a
line on stderr (python-json-logger), with the service's name, so a log shipper can index
them; `LOG_FORMAT=text` for people at a terminal.

Every record passes a filter that masks ID, phone and credit-code numbers
(channels/privacy.py) in the message and its arguments: the channels mask before Rasa,
but a log line may quote anything (a portal error, a request) and must not leak them.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from channels.privacy import mask_pii
from settings import get_settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info:  # formatted once here, masked, and no longer formatted again
            record.exc_text = mask_pii(record.exc_text or logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(service: str) -> None:
    """Replace the root logger's handlers with one that writes masked lines to stderr."""
    settings = get_settings()
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "text":
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    else:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
                json_ensure_ascii=False,
            )
        )
    handler.addFilter(MaskPersonalNumbers())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))  # a line per SQLite call
    # Libraries that configure their own handlers (Sanic, aiohttp) go through the root one.
    for name in ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "aiohttp.access", "rasa_sdk"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
