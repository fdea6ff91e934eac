"""Mask personal numbers (PIPL sensitive data) before text reaches Rasa's tracker or logs.

Standard library only: the Rasa (Python 3.10) and service (3.11) environments share it.
The raw numbers a form needs go to the vault (`channels.vault`), never to the tracker.
People type numbers in groups ("370102 1990 0307 1238", "138-1234-5678"): a candidate may
carry single spaces or hyphens between its characters; it is compacted, checked against
the strict shape and masked in its compact form, which is also the raw value collected.
"""

from __future__ import annotations

import re

# Strict shapes, each as (kept head, hidden middle, kept tail).
# 18-digit resident ID (GB 11643). A masked one no longer matches, so masking is idempotent.
ID_NUMBER = re.compile(r"([1-9]\d{5})(\d{8})(\d{3}[\dXx])")
# Unified social credit code (GB 32100): 18 characters from its alphabet.
CREDIT_CODE = re.compile(r"([0-9A-HJ-NPQRTUWXY]{2}\d{6})([0-9A-HJ-NPQRTUWXY]{6})([0-9A-HJ-NPQRTUWXY]{4})")
# Mainland mobile numbers, optionally +86 / 86 prefixed.
MOBILE = re.compile(r"((?:\+?86)?1[3-9]\d)(\d{4})(\d{4})")

SEP = r"[ \-]?"
# Candidates in running text: the same characters, single separators allowed between them.
CANDIDATES = (
    (ID_NUMBER, re.compile(rf"(?<![0-9A-Za-z])[1-9](?:{SEP}\d){{16}}{SEP}[\dXx](?![0-9A-Za-z])")),
    (CREDIT_CODE, re.compile(rf"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY](?:{SEP}[0-9A-HJ-NPQRTUWXY]){{17}}(?![0-9A-Z])")),
    (MOBILE, re.compile(rf"(?<![\d+])(?:\+?86{SEP})?1[3-9](?:{SEP}\d){{9}}(?!\d)")),
)


def mask_and_collect(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The masked text and each (masked, raw) number: `370102199003071234` → `370102********1234`."""
    found: list[tuple[str, str]] = []

    def hide(strict: re.Pattern[str], match: re.Match[str]) -> str:
        compact = re.sub(r"[ \-]", "", match.group(0))
        exact = strict.fullmatch(compact)
        if not exact:
            return match.group(0)
        masked = exact.group(1) + "*" * len(exact.group(2)) + exact.group(3)
        found.append((masked, compact))
        return masked

    for strict, candidate in CANDIDATES:
        text = candidate.sub(lambda m, strict=strict: hide(strict, m), text)
    return text, found


# A number as mask_and_collect leaves it: kept head, at least four *, kept tail.
MASKED = re.compile(r"[0-9A-Z+]{3,8}\*{4,}[0-9A-Za-z]{4}")


def masked_numbers(text: str) -> list[str]:
    """The masked numbers in `text` ("我的身份证号是370102********1238" → that number)."""
    return MASKED.findall(text or "")


def mask_pii(text: str | None) -> str | None:
    return mask_and_collect(text)[0] if text else text
