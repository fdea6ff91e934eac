"""What the guided forms ask, from data: data/forms.yml (forms) and data/form_slots.yml
(each question's label and the words users call it by)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import yaml

from actions.context import vault
from actions.forms.validators import VALIDATORS
from catalogue.model import ServiceItem
from channels.privacy import mask_pii
from settings import get_settings

# Masked by the channel; their raw values are in the vault, never in slots.
SENSITIVE_SUFFIXES = ("_id_number", "_phone", "_credit_code")
IDENTITY_SUFFIXES = ("_id_number", "_credit_code")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((get_settings().data_dir / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def form_specs() -> dict[str, dict[str, Any]]:
    return _load("forms.yml")


@lru_cache(maxsize=1)
def slot_specs() -> dict[str, dict[str, Any]]:
    return _load("form_slots.yml")


def form_slots() -> tuple[str, ...]:
    return tuple(slot_specs())


def label(slot: str) -> str:
    return slot_specs()[slot]["label"]


def spec_of(kind: str | None) -> dict[str, Any] | None:
    return form_specs().get(kind or "")


def kind_for(item: ServiceItem) -> str | None:
    """The guided application for an item, or for a theme service's entry (by its name)."""
    return next(
        (kind for kind, spec in form_specs().items() if item.name in spec["items"] or item.name == spec.get("theme")), None
    )


def sensitive(slot: str) -> bool:
    return slot.endswith(SENSITIVE_SUFFIXES)


def validator_for(slot: str) -> Callable[[str], tuple[str | None, str | None]]:
    """By the slot's name: *_id_number, *_phone, *_credit_code, *_date, *_amount, company_name, a person's *_name."""
    suffixes = {"_id_number": "id_number", "_phone": "mobile", "_credit_code": "credit_code", "_date": "date", "_amount": "amount"}
    for suffix, name in suffixes.items():
        if slot.endswith(suffix):
            return VALIDATORS[name]
    if slot == "company_name":
        return VALIDATORS["company_name"]
    return VALIDATORS["name"] if slot.endswith("_name") else VALIDATORS["text"]


def check_answer(sender_id: str, slot: str, text: str) -> tuple[str | None, str | None]:
    """(the raw checked value, None) for the user's answer, or (None, what is wrong). A
    personal number arrives masked by the channel: its raw value comes from the vault."""
    raw = vault().find(sender_id, text) if sensitive(slot) else None
    return validator_for(slot)(raw or text)


def shown(slot: str, value: str) -> str:
    """What a slot holds: personal numbers masked."""
    return (mask_pii(value) or value) if sensitive(slot) else value


def slot_value(sender_id: str, slot: str, raw: str) -> str:
    """A value from elsewhere (a profile, a paused form) as the slot holds it, with a
    personal number's raw value kept in the vault as if the user had typed it."""
    if sensitive(slot):
        vault().put(sender_id, [(shown(slot, raw), raw)])
    return shown(slot, raw)


# ---- profiles (一人一档 / 一企一档) ------------------------------------------------------------


def identity_slot(spec: dict[str, Any]) -> str | None:
    """The form's first question, when it asks who the applicant is."""
    first = spec["slots"][0]
    return first if first.endswith(IDENTITY_SUFFIXES) else None


def profile_kind(identity: str) -> str:
    return "person" if identity.endswith("_id_number") else "enterprise"


def profile_field(slot: str, identity: str) -> str | None:
    """Where a form answer lives in the applicant's profile, or None if it is not theirs.

    A person's own answers drop their role ("mother_name" and "applicant_name" are both
    the person's "name"), so one profile fills every form; an enterprise keeps slot names.
    """
    if slot == identity or slot_specs()[slot].get("remember") is False:
        return None
    if profile_kind(identity) == "enterprise":
        return slot
    role = identity.removesuffix("_id_number")
    for prefix in (f"{role}_", "applicant_"):
        if slot.startswith(prefix):
            return slot.removeprefix(prefix)
    return slot
