"""The `facilitator` command: serve, demo, user, db."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click
import uvicorn

from facilitator import logs
from facilitator.cli import lan
from facilitator.cli.backups import db_backup, db_restore
from facilitator.cli.files import export, workshop
from facilitator.cli.options import data_dir_option, database_option, settings_from
from facilitator.config import Settings
from facilitator.domain import JOB_MODULES
from facilitator.models import Role
from facilitator.store import migrate, writer
from facilitator.throttle import MAX_FRAME


def _run_server(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    from facilitator.app import create_app

    app: Any = "facilitator.app:create_app_from_env"
    if workers > 1:
        _check_workers(settings, workers)
        # Worker processes import the app by name and rebuild these same settings from
        # the environment they inherit (config.py stays the only reader).
        os.environ.update(settings.to_env())
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_fresh_metrics_dir(settings))
    else:
        app = create_app(settings, server=True)
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        ws_max_size=MAX_FRAME,
        ws_per_message_deflate=False,  # compressing costs CPU and memory per socket
        ws="facilitator.web.frame_protocol:FrameWritingProtocol",  # frames written once per event
        timeout_graceful_shutdown=5,
        # A worker importing the app on a busy host can take longer than uvicorn's 5 s
        # default to answer its supervisor, which would then kill and restart it.
        timeout_worker_healthcheck=30,
        log_level="info",
        log_config=logs.uvicorn_config(settings.log_format),
        proxy_headers=True,
    )


def _fresh_metrics_dir(settings: Settings) -> Path:
    """Where each worker keeps its figures for /metrics (prometheus-client's multiprocess
    mode), emptied at each start: what a previous run left would be added in."""
    path = settings.data_dir / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _check_workers(settings: Settings, workers: int) -> None:
    """Many processes need a shared database with many writers and a hub between them."""
    if settings.is_sqlite:
        raise click.UsageError(
            f"--workers {workers} needs PostgreSQL: SQLite has one writer. Set "
            "--database-url postgresql+psycopg://USER@HOST/DB (see docs/deployment.md), "
            "or run one worker."
        )
    if not settings.redis_url:
        raise click.UsageError(
            f"--workers {workers} needs Redis to carry live updates between the workers. "
            "Set --redis-url redis://HOST:6379/0 (see docs/deployment.md), or run one worker."
        )


@click.group()
@click.version_option(package_name="facilitator")
def main() -> None:
    """Facilitator: real-time breakout sessions for workshops and conferences."""
    _named_as_module()


def _named_as_module() -> None:
    # From the `facilitator` console script, the process's main module is that script, and
    # every process it spawns (the vector workers) runs it again first, importing the whole
    # command line: 40 MB more in each. Named as `python -m facilitator` names it, they skip
    # it, as multiprocessing does for any `*.__main__`.
    main_module = sys.modules["__main__"]
    if getattr(main_module, "__spec__", None) is None:
        main_module.__spec__ = importlib.util.find_spec("facilitator.__main__")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@database_option
@click.option(
    "--redis-url", default=None, help="Redis URL of the hub between processes. Default: none."
)
@data_dir_option
@click.option(
    "--public-url", default=None, help="The address phones use, for join links and QR codes."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes; more than one needs PostgreSQL and Redis.",
)
def serve(
    host: str,
    port: int,
    database_url: str | None,
    redis_url: str | None,
    data_dir: Path | None,
    public_url: str | None,
    workers: int,
) -> None:
    """Run the web server (applies database migrations first)."""
    settings = settings_from(
        database_url=database_url, redis_url=redis_url, data_dir=data_dir, public_url=public_url
    )
    if settings.log_format not in logs.FORMATS:
        raise click.UsageError(
            f"FACILITATOR_LOG_FORMAT must be one of {', '.join(logs.FORMATS)}, "
            f"not {settings.log_format!r}."
        )
    if workers > 1:
        _check_workers(settings, workers)  # before touching the database
    if settings.database_url.startswith("sqlite"):
        writer.warm_up(JOB_MODULES)
    migrate.upgrade(settings.database_url)
    _run_server(settings, host, port, workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the details as one JSON line first.")
@click.option("--no-serve", is_flag=True, help="Create the demo and print it, but do not serve.")
def demo(host: str, port: int, data_dir: Path | None, as_json: bool, no_serve: bool) -> None:
    """Create (or reuse) a demo workshop in progress, print its links, and serve it."""
    from facilitator.demo.seeding import ensure_demo
    from facilitator.store.database import Database

    overrides: dict[str, Any] = {"data_dir": data_dir}
    if data_dir is None:
        overrides["data_dir"] = settings_from().data_dir / "demo"
    settings = settings_from(**overrides)
    if settings.database_url.startswith("sqlite"):
        writer.warm_up(JOB_MODULES)
    migrate.upgrade(settings.database_url)
    base = (
        settings.public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    )

    async def build() -> Any:
        db = Database(settings.database_url)
        try:
            return await ensure_demo(db, settings.data_dir, base)
        finally:
            db.close()

    info = asyncio.run(build())
    if as_json:
        click.echo(info.as_json())
    else:
        click.echo(f"\n  {info.workshop_title}\n  {base}\n")
        click.echo(
            f"  Organiser: {base}/login  {info.organiser_email} / {info.organiser_password}\n"
        )
        for g in info.groups:
            click.echo(f"  {g.name}")
            click.echo(f"    phones join: {g.join_url}  (code {g.code[:4]}-{g.code[4:]})")
            login = f"{g.facilitator_email} / {g.facilitator_password}"
            click.echo(f"    facilitator: {g.facilitator_url}  {login}")
        click.echo("")
    hint = lan.phones_hint(host, port, settings.public_url, lan.lan_address())
    if hint:
        click.echo(f"{hint}\n", err=as_json)  # with --json, standard output stays JSON
    sys.stdout.flush()
    if not no_serve:
        _run_server(settings, host, port)


@main.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("create")
@click.option("--email", required=True, help="Login email.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.facilitator.value,
    show_default=True,
)
@click.option("--name", default="", help="Name shown to others.")
@database_option
@data_dir_option
def user_create(
    email: str, role: str, name: str, database_url: str | None, data_dir: Path | None
) -> None:
    """Create an organiser or facilitator. The password is asked for, or read from stdin."""
    from facilitator.domain import accounts
    from facilitator.domain.errors import DomainError
    from facilitator.store.database import Database

    settings = settings_from(database_url=database_url, data_dir=data_dir)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    migrate.upgrade(settings.database_url)

    async def create() -> int:
        db = Database(settings.database_url)
        try:
            return await accounts.create_user(db, email, password, Role(role), name)
        finally:
            db.close()

    try:
        user_id = asyncio.run(create())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {role} {email} (id {user_id}).")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@database_option
@data_dir_option
def db_upgrade(database_url: str | None, data_dir: Path | None) -> None:
    """Apply all migrations to the database."""
    settings = settings_from(database_url=database_url, data_dir=data_dir)
    migrate.upgrade(settings.database_url)
    click.echo("The database is up to date.")


@db.command("copy")
@click.option("--from", "source", required=True, help="URL of the database to copy from.")
@click.option("--to", "target", required=True, help="URL of an empty database to copy into.")
def db_copy(source: str, target: str) -> None:
    """Copy every row to another database (SQLite to PostgreSQL), keeping ids and seqs.

    Stop the server first, so nothing is written during the copy.
    """
    from facilitator.store.copying import CopyRefused, copy_database

    try:
        counts = copy_database(source, target, lambda table, n: click.echo(f"  {table}: {n} rows"))
    except (CopyRefused, migrate.NotMigrated) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Copied {sum(counts.values())} rows. Point FACILITATOR_DATABASE_URL at the copy.")


db.add_command(db_backup)
db.add_command(db_restore)
main.add_command(export)
main.add_command(workshop)
