"""`rasa run …` with the HTTP API's token taken from the environment (settings.rasa_token).

Rasa reads its token only from `--auth-token`; passing it here, inside the process,
keeps the secret out of the command line that any local user can list (`ps`).

    python -m bot.serve --model M --enable-api --port 5005 …   (bot/run.py starts it)
"""

from __future__ import annotations

import sys

from settings import get_settings


def main() -> None:
    token = get_settings().rasa_token
    if not token:
        raise SystemExit("RASA_TOKEN must be set: Rasa's HTTP API is not served without a token (python -m portal.keys makes one)")
    sys.argv = ["rasa", "run", *sys.argv[1:], "--auth-token", token]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
