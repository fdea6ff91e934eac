"""Print new secrets for one deployment: `python -m portal.keys >> var/secrets.env`.

PORTAL_DATA_KEY encrypts personal data (portal records, vault, outbox); the tokens
authenticate the action server and staff at the portal, callers of Rasa's HTTP API, and
Rasa at the action server.
"""

import secrets

from cryptography.fernet import Fernet

NAMES = ("PORTAL_DATA_KEY", "PORTAL_SERVICE_TOKEN", "PORTAL_STAFF_TOKEN", "RASA_TOKEN", "ACTIONS_TOKEN", "ASSIST_SESSION_KEY")


def new_secret(name: str) -> str:
    return Fernet.generate_key().decode() if name in ("PORTAL_DATA_KEY", "ASSIST_SESSION_KEY") else secrets.token_urlsafe(32)


if __name__ == "__main__":
    for name in NAMES:
        print(f"{name}={new_secret(name)}")
