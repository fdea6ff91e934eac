"""Bring the portal's database to the newest schema: `python -m portal.migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from settings import Settings, get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def upgrade(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    if settings.portal_database.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", settings.portal_database)
    command.upgrade(config, "head")


if __name__ == "__main__":
    upgrade()
