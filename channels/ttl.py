"""Small maps whose entries expire: in this process's memory (cachetools.TTLCache, bounded)
on one machine, or in the shared Redis with TRACKER_STORE=redis (bot/stores.py), so that
WeChat's retry of a push reaching another Rasa server is still recognised, and a "2"
typed there still picks the second choice offered by the first.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

from bot import stores
from settings import Settings, get_settings


V = TypeVar("V")


class TTLDict(Generic[V]):
    """Keys to JSON-able values, each forgotten `ttl_seconds` after it was set."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000, name: str = "", settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.ttl = ttl_seconds
        self._redis = stores.shared_redis(settings) if name else None
        self._prefix = stores.shared_key(settings, name) if name else ""
        self._local: TTLCache[str, Any] = TTLCache(max_entries, ttl_seconds)
        self._lock = threading.Lock()  # TTLCache is not thread-safe; Sanic handlers may run in threads

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    def __setitem__(self, key: str, value: V) -> None:
        if self._redis is not None:
            self._redis.set(self._key(key), json.dumps(value, ensure_ascii=False), px=int(self.ttl * 1000))
            return
        with self._lock:
            self._local[key] = value

    def get(self, key: str) -> V | None:
        if self._redis is not None:
            raw = self._redis.get(self._key(key))
            return json.loads(raw) if raw is not None else None
        with self._lock:
            return self._local.get(key)

    def pop(self, key: str) -> V | None:
        if self._redis is not None:
            raw = self._redis.getdel(self._key(key))
            return json.loads(raw) if raw is not None else None
        with self._lock:
            return self._local.pop(key, None)

    def add(self, key: str) -> bool:
        """Remember `key`; False if it was already there (a duplicate). Atomic across servers."""
        if self._redis is not None:
            return bool(self._redis.set(self._key(key), b"1", nx=True, px=int(self.ttl * 1000)))
        with self._lock:
            if key in self._local:
                return False
            self._local[key] = True
            return True
