"""What the command-line modules share: settings from flags, and the common options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from facilitator.config import Settings
from facilitator.store import migrate


class IdParam(click.ParamType):
    """An id argument, through the one guard (facilitator/domain/ids.py)."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from facilitator.domain.errors import DomainError
        from facilitator.domain.ids import checked

        try:
            return checked(int(value))
        except ValueError:
            self.fail(f"{value!r} is not a number.", param, ctx)
        except DomainError as exc:
            self.fail(exc.message, param, ctx)


ID = IdParam()


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
