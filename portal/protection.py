"""Personal data at rest: encrypted with a key from the environment (PORTAL_DATA_KEY,
a Fernet key), and keyed hashes for lookups that must not store the raw value."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet


class Protector:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("PORTAL_DATA_KEY is not set (make one: python -m portal.keys)")
        self._fernet = Fernet(key.encode())
        self._hash_key = hashlib.sha256(b"tongban-lookup:" + key.encode()).digest()

    def seal(self, data: Any) -> bytes:
        return self._fernet.encrypt(json.dumps(data, ensure_ascii=False).encode())

    def open(self, token: bytes) -> Any:
        return json.loads(self._fernet.decrypt(token))

    def lookup_hash(self, value: str) -> str:
        normalised = "".join(value.split()).upper()
        return hmac.new(self._hash_key, normalised.encode(), hashlib.sha256).hexdigest()
