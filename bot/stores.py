"""Where Rasa keeps conversations (tracker store) and their locks (lock store), and where
the channels keep what every Rasa server must see alike.

`TRACKER_STORE=memory`, the embedded default, keeps both inside the one Rasa process:
nothing to install. `TRACKER_STORE=redis` puts both in Redis at `REDIS_URL`, so any
number of Rasa servers can answer any conversation (README, "Running many instances"):
the launcher checks that Redis answers, then starts Rasa with bot/endpoints.redis.yml,
whose `${REDIS_*}` variables come from here. The same switch moves the vault
(channels/vault.py), WeChat's retry filter and offered choices (channels/ttl.py), WeChat's
access token (channels/wechat_api.py) and the rate limits (channels/intake.py) there too,
under REDIS_KEY_PREFIX.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import redis

from settings import ROOT, Settings

ENDPOINTS = {"memory": ROOT / "bot" / "endpoints.yml", "redis": ROOT / "bot" / "endpoints.redis.yml"}
CHECK_TIMEOUT_SECONDS = 3.0
TIMEOUT_SECONDS = 2.0  # one call to the shared Redis; it answers in well under a millisecond


class StoreUnavailable(SystemExit):
    """The configured store does not answer: a launcher stops with this message."""


def endpoints_file(settings: Settings) -> Path:
    return Path(settings.rasa_endpoints) if settings.rasa_endpoints else ENDPOINTS[settings.tracker_store]


def shown_url(settings: Settings) -> str:
    """REDIS_URL without its password, for messages."""
    url = urlparse(settings.redis_url)
    return url._replace(netloc=url.netloc.rsplit("@", 1)[-1]).geturl()


def rasa_env(settings: Settings) -> dict[str, str]:
    """The variables bot/endpoints.redis.yml reads (none for the in-memory stores)."""
    if settings.tracker_store != "redis":
        return {}
    url = urlparse(settings.redis_url)
    if url.scheme != "redis" or not url.hostname:
        raise StoreUnavailable(f"REDIS_URL must look like redis://[:password@]host[:port][/db], got {shown_url(settings)}")
    return {
        "REDIS_HOST": url.hostname,
        "REDIS_PORT": str(url.port or 6379),
        "REDIS_DB": url.path.strip("/") or "0",
        "REDIS_PASSWORD": url.password or "",
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
    }


def check(settings: Settings) -> None:
    """With Redis switched on, stop at start, naming REDIS_URL, if Redis does not answer.

    Rasa itself would start anyway (its Redis stores connect lazily) and then fail every
    message.
    """
    if settings.tracker_store != "redis":
        return
    rasa_env(settings)  # a malformed URL stops here too
    client = redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise StoreUnavailable(
            f"Redis is unreachable at REDIS_URL={shown_url(settings)} ({exc}). TRACKER_STORE=redis keeps "
            "conversations there: start Redis, fix REDIS_URL, or unset TRACKER_STORE for the in-memory stores."
        ) from None
    finally:
        client.close()


@lru_cache(maxsize=None)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def shared_redis(settings: Settings) -> redis.Redis | None:
    """The Redis every Tongban process shares with TRACKER_STORE=redis; None on one machine."""
    return _client(settings.redis_url) if settings.tracker_store == "redis" else None


def shared_key(settings: Settings, *parts: str) -> str:
    return ":".join((settings.redis_key_prefix, *parts))
