"""Manage agent accounts: `python -m assist.agents add NAME` (asks for the password;
`--password-stdin` reads it from standard input, for scripts)."""

from __future__ import annotations

import argparse
import getpass
import sys

from assist.store import AssistStore
from settings import get_settings

MIN_PASSWORD = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assist.agents", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent, or set an existing agent's password")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)
    name = args.name.strip()
    if not name or len(name) > 64:
        parser.error("NAME must be 1-64 characters")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"password for {name}: ")
    if len(password) < MIN_PASSWORD:
        parser.error(f"the password must have at least {MIN_PASSWORD} characters")
    settings = get_settings()
    AssistStore(settings.assist_database).add_agent(name, password)
    print(f"agent {name} saved in {settings.assist_database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
