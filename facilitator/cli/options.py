"""What the command-line modules share: settings from flags, and the common options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from facilitator.config import Settings
from facilitator.store import migrate


def settings_from(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


database_option = click.option(
    "--database-url",
    envvar=None,
    default=None,
    help="SQLAlchemy URL. Default: SQLite in the data directory.",
)
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the SQLite database and secret key live.",
)


def open_database(database_url: str | None, data_dir: Path | None) -> Any:
    from facilitator.store.database import Database

    settings = settings_from(database_url=database_url, data_dir=data_dir)
    migrate.upgrade(settings.database_url)
    return Database(settings.database_url)
