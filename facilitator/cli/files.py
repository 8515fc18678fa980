"""`facilitator export` and `facilitator workshop`: workshops as files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from facilitator.cli.options import (
    ID,
    data_dir_option,
    database_option,
    open_database,
    settings_from,
)
from facilitator.models import Role


@click.command("export")
@click.argument("workshop_id", type=ID)
@click.option("--format", "fmt", required=True, help="docx, md, xlsx, csv, json, polis or audit.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--include-names", is_flag=True, help="Keep participants' display names.")
@click.option("--summary", default="", help="The executive summary for the report.")
@database_option
@data_dir_option
def export(
    workshop_id: int,
    fmt: str,
    output: Path,
    include_names: bool,
    summary: str,
    database_url: str | None,
    data_dir: Path | None,
) -> None:
    """Write a workshop to a file, at any time (not only at the end)."""
    from facilitator.domain.errors import DomainError
    from facilitator.domain.exports import read_snapshot
    from facilitator.export.formats import FORMATS, render

    if fmt not in FORMATS:
        raise click.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    db = open_database(database_url, data_dir)
    try:
        snap = db.read_sync(lambda s: read_snapshot(s, workshop_id, include_names=include_names))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        db.close()
    output.write_bytes(render(snap, fmt, summary))
    click.echo(f"Wrote {output} ({fmt}).")


@click.group()
def workshop() -> None:
    """Workshops as files: set-up (YAML) and complete data (JSON)."""


@workshop.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organiser", default=None, help="Email of an account to make its organiser.")
@database_option
@data_dir_option
def import_data(
    file: Path, organiser: str | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Import a workshop exported with `export --format json` (new ids, all else kept)."""
    from sqlmodel import select

    from facilitator.domain.archive_rules import BadArchive
    from facilitator.domain.restore import restore
    from facilitator.export.data import BadDocument, from_json
    from facilitator.models import User

    try:
        snap = from_json(file.read_bytes())
    except BadDocument as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    settings = settings_from(database_url=database_url, data_dir=data_dir)
    limits = {"idea_limit": settings.max_idea_length, "name_limit": settings.max_name_length}
    db = open_database(database_url, data_dir)
    try:
        owner = None
        if organiser:
            owner = db.read_sync(
                lambda s: s.exec(select(User.id).where(User.email == organiser.lower())).first()
            )
            if owner is None:
                raise click.ClickException(f"No account with the email {organiser}.")
        wid = db.write_sync(lambda s: restore(s, snap, owner, **limits))
    except BadArchive as exc:
        raise click.ClickException(f"{file}: nothing was imported: {exc.message}") from None
    finally:
        db.close()
    click.echo(f"Imported {snap.workshop.title!r} as workshop {wid}.")


def _organiser(db: Any, email: str | None) -> Any:
    """The organiser account to act as: the one named, or the only one there is."""
    from sqlmodel import select

    from facilitator.domain.actors import Staff
    from facilitator.models import User

    def find(s: Any) -> list[User]:
        query = select(User).where(User.role == Role.organiser)
        if email:
            query = query.where(User.email == email.strip().lower())
        return list(s.exec(query).all())

    found = db.read_sync(find)
    if len(found) != 1:
        raise click.ClickException(
            f"No organiser account with the email {email}."
            if email
            else "Name the organiser with --organiser EMAIL (there is not exactly one)."
        )
    u = found[0]
    return Staff(u.id, Role(u.role), u.email, u.name)


@workshop.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organiser", default=None, help="Organiser email (default: the only one).")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@database_option
@data_dir_option
def workshop_import(
    file: Path,
    organiser: str | None,
    base_url: str,
    as_json: bool,
    database_url: str | None,
    data_dir: Path | None,
) -> None:
    """Create a workshop from a YAML set-up file and print each group's join link and code."""
    import orjson

    from facilitator.domain import setup_file
    from facilitator.domain.errors import DomainError

    try:
        setup = setup_file.parse(file.read_text(encoding="utf-8"))
    except setup_file.BadSetup as exc:
        raise click.ClickException(
            f"{file} was not imported; nothing was created:\n"
            + "\n".join(f"  {file}:{p}" for p in exc.problems)
        ) from None
    db = open_database(database_url, data_dir)
    try:
        actor = _organiser(db, organiser)
        days = settings_from().invitation_days
        created = db.write_sync(lambda s: setup_file.create(s, actor, setup, days))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        db.close()
    links = setup_file.join_links(created, base_url)
    if as_json:
        click.echo(orjson.dumps(links).decode())
        return
    click.echo(f"Created {created.title!r} (workshop {created.workshop_id}).")
    for g in links["groups"]:
        click.echo(f"  {g['name']}\n    join: {g['join_url']}  code {g['code']}")
    for i in links["invitations"]:
        click.echo(f"  Invite {i['email']} ({', '.join(i['groups'])}): {i['url']}")


@workshop.command("export-setup")
@click.argument("workshop_id", type=ID)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_option
@data_dir_option
def workshop_export_setup(
    workshop_id: int, output: Path, database_url: str | None, data_dir: Path | None
) -> None:
    """Write a workshop's set-up back to a YAML file that `workshop import` reads."""
    from facilitator.domain import setup_file
    from facilitator.domain.errors import DomainError

    db = open_database(database_url, data_dir)
    try:
        text = db.read_sync(lambda s: setup_file.dump(s, workshop_id))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        db.close()
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}.")
