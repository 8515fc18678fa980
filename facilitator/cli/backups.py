"""`facilitator db backup` and `facilitator db restore` (docs/operations.md, Backups)."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.options import data_dir_option, database_option, settings_from

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("file", type=FILE)
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@database_option
@data_dir_option
def db_backup(file: Path, overwrite: bool, database_url: str | None, data_dir: Path | None) -> None:
    """Copy the database to FILE, consistently, while the server runs (SQLite).

    On PostgreSQL, prints the pg_dump command that does the same."""
    from facilitator.store.backup import BackupRefused, backup

    settings = settings_from(database_url=database_url, data_dir=data_dir)
    try:
        counts = backup(settings.database_url, file, overwrite=overwrite)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(n for table, n in counts.items() if table != "alembic_version")
    click.echo(f"Backed up {rows} rows to {file}.")
    click.echo(
        "Keep the secret key with it (secret_key in the data directory, or "
        "FACILITATOR_SECRET_KEY): without it, phones and staff must join and log in again."
    )


@click.command("restore")
@click.argument("file", type=FILE)
@click.option("--force", is_flag=True, help="Replace a database that already has data.")
@database_option
@data_dir_option
def db_restore(file: Path, force: bool, database_url: str | None, data_dir: Path | None) -> None:
    """Put a backup made by `db backup` in place of the database. Stop the server first.

    Refuses a database that has data unless --force. On PostgreSQL, prints the pg_restore
    command instead."""
    from facilitator.store.backup import BackupRefused, restore

    settings = settings_from(database_url=database_url, data_dir=data_dir)
    try:
        counts = restore(file, settings.database_url, force=force)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(n for table, n in counts.items() if table != "alembic_version")
    click.echo(f"Restored {rows} rows from {file}. Start the server.")
