"""Mask personal numbers (PIPL sensitive data) before text reaches Rasa's tracker or logs.

Pure standard library: the Rasa (Python 3.10) and service (3.11) environments share it.
"""

from __future__ import annotations

import re

# 18-digit resident ID (GB 11643), already masked ones included so masking is idempotent.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally +86 / 86 prefixed.
MOBILE = re.compile(r"(?<!\d)((?:\+?86)?1[3-9]\d)(\d{4})(\d{4})(?!\d)")
# Unified social credit code (GB 32100): 18 characters from its alphabet.
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6})([0-9A-HJ-NPQRTUWXY]{6})([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])")


def mask_pii(text: str | None) -> str | None:
    """`370102199003071234` → `370102********1234`; `13812345678` → `138****5678`."""
    if not text:
        return text
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    text = CREDIT_CODE.sub(lambda m: m.group(1) + "*" * 6 + m.group(3), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
