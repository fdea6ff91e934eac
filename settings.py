"""Tongban's one configuration story: defaults here, overridden by environment variables.

Every service and command reads `get_settings()`; nothing else reads the environment
for Tongban's own options.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
PORTALS = ("shandong", "guangdong")
TRACKER_STORES = ("memory", "redis")

# Where settings are read from: this process's environment, or (Settings.from_environ)
# the environment a launcher is about to give a child process.
_environ: ContextVar[Mapping[str, str] | None] = ContextVar("tongban_environ", default=None)


def _env(name: str, default: str) -> str:
    environ = _environ.get()
    value = ((os.environ if environ is None else environ).get(name) or "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    portal: str = field(default_factory=lambda: _env("PORTAL", "shandong"))
    data_dir: Path = field(default_factory=lambda: Path(_env("TONGBAN_DATA", str(ROOT / "data"))))
    # Generated artefacts (indexes, embedding caches, databases); never committed.
    var_dir: Path = field(default_factory=lambda: Path(_env("TONGBAN_VAR", str(ROOT / "var"))))
    # Dense embedders, "+"-joined: "use" (packaged USE-m, fast), "e5" (packaged
    # multilingual-e5-small, better), "st:/path/to/model" (any local sentence-transformers dir).
    embedders: str = field(default_factory=lambda: _env("EMBEDDERS", "use+e5"))
    # Content-keyed caches (embeddings by model and text hash): safe to share between
    # clones, so a fresh checkout on the same machine does not embed the catalogue again.
    cache_dir: Path = field(
        default_factory=lambda: Path(
            _env("TONGBAN_CACHE", str(Path(_env("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "tongban"))
        )
    )

    # The portal service: SQLite in var/ by default; e.g.
    # postgresql+asyncpg://postgres@127.0.0.1:5432/test for PostgreSQL.
    portal_db_url: str = field(default_factory=lambda: _env("PORTAL_DB_URL", ""))
    portal_url: str = field(default_factory=lambda: _env("PORTAL_URL", "http://127.0.0.1:8088"))
    # Secrets come only from the environment (`python -m portal.keys` makes a set).
    portal_data_key: str = field(default_factory=lambda: _env("PORTAL_DATA_KEY", ""), repr=False)
    portal_service_token: str = field(default_factory=lambda: _env("PORTAL_SERVICE_TOKEN", ""), repr=False)
    portal_staff_token: str = field(default_factory=lambda: _env("PORTAL_STAFF_TOKEN", ""), repr=False)
    # Rasa's HTTP API, for messages the user did not ask for (status changes, agent replies).
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", "http://127.0.0.1:5005"))
    # Rasa's HTTP API (trackers, events) needs this token (`rasa run --auth-token`); secret.
    rasa_token: str = field(default_factory=lambda: _env("RASA_TOKEN", ""), repr=False)
    # The action server runs actions only for callers with this token (Rasa sends it as
    # ?token=, bot/endpoints.yml); secret.
    actions_token: str = field(default_factory=lambda: _env("ACTIONS_TOKEN", ""), repr=False)
    # Per-sender rate limit of the input channels (token bucket, in memory, per Rasa process):
    # a burst of this many messages, refilled at this many per second.
    rate_limit_burst: int = field(default_factory=lambda: int(_env("RATE_LIMIT_BURST", "20")))
    rate_limit_per_second: float = field(default_factory=lambda: float(_env("RATE_LIMIT_PER_SECOND", "1")))
    # Ports `make run` (bot/run.py) starts Rasa and the action server on; the portal's and
    # agent assist's come from PORTAL_URL and ASSIST_URL.
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    actions_port: int = field(default_factory=lambda: int(_env("ACTIONS_PORT", "5055")))
    # The notifier's /health and /metrics (actions/notifier.py).
    notifier_port: int = field(default_factory=lambda: int(_env("NOTIFIER_PORT", "5056")))
    # Log lines of the services we own (portal, action server, notifier): "json" (one JSON
    # object a line, for a log shipper) or "text".
    log_format: str = field(default_factory=lambda: _env("LOG_FORMAT", "json"))
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "INFO"))
    # Further web pages (origins, comma-separated) allowed to embed the chat widget, i.e. to
    # call Rasa's socket.io and REST channels from a browser; the portal's own is always allowed.
    widget_origins: str = field(default_factory=lambda: _env("WIDGET_ORIGINS", ""))

    # WeChat mini-program customer service (channels/wechat.py): on when WECHAT_TOKEN is set.
    # Token and EncodingAESKey (安全模式) as entered under 开发管理 → 消息推送.
    wechat_token: str = field(default_factory=lambda: _env("WECHAT_TOKEN", ""), repr=False)
    wechat_appid: str = field(default_factory=lambda: _env("WECHAT_APPID", ""))
    wechat_secret: str = field(default_factory=lambda: _env("WECHAT_SECRET", ""), repr=False)
    wechat_aes_key: str = field(default_factory=lambda: _env("WECHAT_AES_KEY", ""), repr=False)
    wechat_api_base: str = field(default_factory=lambda: _env("WECHAT_API_BASE", "https://api.weixin.qq.com"))
    # A picture for item cards (`link` messages need one); without it items go as text links.
    wechat_card_thumb_url: str = field(default_factory=lambda: _env("WECHAT_CARD_THUMB_URL", ""))
    # The 12345 agent-assist console and API (`python -m assist`); its session cookies are
    # encrypted with ASSIST_SESSION_KEY (a Fernet key, `python -m portal.keys` makes one).
    assist_url: str = field(default_factory=lambda: _env("ASSIST_URL", "http://127.0.0.1:8090"))
    assist_session_key: str = field(default_factory=lambda: _env("ASSIST_SESSION_KEY", ""), repr=False)

    # Rasa's tracker and lock stores: "memory" (the embedded default: one Rasa process) or
    # "redis" (shared by any number of Rasa servers; bot/stores.py, bot/endpoints.redis.yml).
    tracker_store: str = field(default_factory=lambda: _env("TRACKER_STORE", "memory"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", "redis://127.0.0.1:6379/0"), repr=False)
    # Prepended to Rasa's Redis keys (alphanumeric, Rasa's rule): deployments sharing a Redis DB stay apart.
    redis_key_prefix: str = field(default_factory=lambda: _env("REDIS_KEY_PREFIX", "tongban"))
    # The submission outbox (actions/portal_client.py) and the human-handoff queue
    # (actions/handoff_queue.py): SQLite files in var/ by default; a PostgreSQL URL
    # (postgresql+psycopg://postgres@127.0.0.1:5432/DB) when action servers and agent assist
    # run on several machines.
    queue_db_url: str = field(default_factory=lambda: _env("QUEUE_DB_URL", ""), repr=False)
    # Rasa's endpoints file; default bot/endpoints.yml, or bot/endpoints.redis.yml with TRACKER_STORE=redis.
    rasa_endpoints: str = field(default_factory=lambda: _env("RASA_ENDPOINTS", ""))

    # Conversation insight (analytics/): how Rasa's events reach the analytics store.
    # "sql": Rasa's SQL broker writes them into SQLite in var/ (the embedded default);
    # "pika": Rasa publishes to RabbitMQ and `python -m analytics.consumer` stores them in
    # ANALYTICS_DB_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); "none": off.
    analytics_broker: str = field(default_factory=lambda: _env("ANALYTICS_BROKER", "sql"))
    analytics_db_url: str = field(default_factory=lambda: _env("ANALYTICS_DB_URL", ""), repr=False)
    analytics_amqp_url: str = field(default_factory=lambda: _env("ANALYTICS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"), repr=False)
    # The dashboard and ticket pages (`python -m analytics`).
    analytics_url: str = field(default_factory=lambda: _env("ANALYTICS_URL", "http://127.0.0.1:8092"))

    def __post_init__(self) -> None:
        if self.portal not in PORTALS:
            raise ValueError(f"PORTAL must be one of {', '.join(PORTALS)}, got {self.portal!r}")
        if self.tracker_store not in TRACKER_STORES:
            raise ValueError(f"TRACKER_STORE must be one of {', '.join(TRACKER_STORES)}, got {self.tracker_store!r}")
        if not self.redis_key_prefix.isalnum():
            raise ValueError(f"REDIS_KEY_PREFIX must be alphanumeric, got {self.redis_key_prefix!r}")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Settings":
        """The settings a process started with `environ` will read (for launchers)."""
        token = _environ.set(environ)
        try:
            return cls()
        finally:
            _environ.reset(token)

    @property
    def portal_database(self) -> str:
        return self.portal_db_url or f"sqlite+aiosqlite:///{self.var_dir / 'portal.sqlite'}"

    @property
    def allowed_origins(self) -> list[str]:
        """The portal's origin under both local names, then WIDGET_ORIGINS."""
        url = urlparse(self.portal_url)
        origins = [f"{url.scheme}://{url.netloc}"]
        for a, b in (("127.0.0.1", "localhost"), ("localhost", "127.0.0.1")):
            if url.hostname == a:
                origins.append(origins[0].replace(a, b, 1))
        extra = [o.strip().rstrip("/") for o in self.widget_origins.split(",") if o.strip()]
        return list(dict.fromkeys(origins + extra))

    @property
    def catalogue_dir(self) -> Path:
        return self.data_dir / "catalogues" / self.portal

    @property
    def gazetteer_path(self) -> Path:
        return self.data_dir / "gazetteer" / f"{self.portal}.json"

    @property
    def dict_dir(self) -> Path:
        return self.data_dir / "dict"

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index" / self.portal

    @property
    def assist_database(self) -> Path:
        return self.var_dir / "assist.sqlite"

    @property
    def analytics_sqlite_path(self) -> Path:
        return self.var_dir / "analytics.sqlite"

    @property
    def analytics_database(self) -> str:
        return self.analytics_db_url or f"sqlite+aiosqlite:///{self.analytics_sqlite_path}"

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir / "embeddings"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
