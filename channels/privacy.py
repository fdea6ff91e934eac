"""Mask personal numbers (PIPL sensitive data) before text reaches Rasa's tracker or logs.

Standard library only: the Rasa (Python 3.10) and service (3.11) environments share it.
The raw numbers a form needs go to the vault (`channels.vault`), never to the tracker.
"""

from __future__ import annotations

import re

# 18-digit resident ID (GB 11643). A masked one no longer matches, so masking is idempotent.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# Unified social credit code (GB 32100): 18 characters from its alphabet.
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6})([0-9A-HJ-NPQRTUWXY]{6})([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])")
# Mainland mobile numbers, optionally +86 / 86 prefixed.
MOBILE = re.compile(r"(?<!\d)((?:\+?86)?1[3-9]\d)(\d{4})(\d{4})(?!\d)")
PATTERNS = (ID_NUMBER, CREDIT_CODE, MOBILE)


def mask_and_collect(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The masked text and each (masked, raw) number: `370102199003071234` → `370102********1234`."""
    found: list[tuple[str, str]] = []

    def hide(match: re.Match[str]) -> str:
        masked = match.group(1) + "*" * len(match.group(2)) + match.group(3)
        found.append((masked, match.group(0)))
        return masked

    for pattern in PATTERNS:
        text = pattern.sub(hide, text)
    return text, found


def mask_pii(text: str | None) -> str | None:
    return mask_and_collect(text)[0] if text else text
