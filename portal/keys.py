"""Print new secrets for the portal's environment: `python -m portal.keys >> var/secrets.env`."""

import secrets

from cryptography.fernet import Fernet

if __name__ == "__main__":
    print(f"PORTAL_DATA_KEY={Fernet.generate_key().decode()}")
    print(f"PORTAL_SERVICE_TOKEN={secrets.token_urlsafe(32)}")
    print(f"PORTAL_STAFF_TOKEN={secrets.token_urlsafe(32)}")
    print(f"ASSIST_SESSION_KEY={Fernet.generate_key().decode()}")
