"""`facilitator export` and `facilitator workshop import-data`, as a user runs them."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from facilitator.cli.main import main
from facilitator.export.formats import FORMATS
from facilitator.models import Role, Workshop
from facilitator.store.database import Database
from tests.workshop_factory import build, db, fresh_db, staff

__all__ = ["db"]


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_export_writes_every_format_and_import_data_reads_json_back(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    built = build(db)
    wid = str(built.workshop_id)
    files = {}
    for fmt in FORMATS:
        out = tmp_path / f"out.{fmt}"
        args = ["export", wid, "--format", fmt, "-o", str(out), "--database-url", db.url]
        result = run(*args, "--summary", "Three things.")
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        files[fmt] = out.read_bytes()
    assert "Three things." in "\n".join(
        p.text for p in Document(io.BytesIO(files["docx"])).paragraphs
    )
    assert load_workbook(io.BytesIO(files["xlsx"])).sheetnames[0] == "Ideas"
    assert json.loads(files["json"])["schema"] == "facilitator.workshop/1"
    assert sorted(zipfile.ZipFile(io.BytesIO(files["polis"])).namelist()) == [
        "comments.csv",
        "votes.csv",
    ]
    assert files["md"].startswith(b"# Cyber conference")

    other = fresh_db(tmp_path, migrated_db, "other.db")
    asyncio.run(staff(other, "olivia@example.org", Role.organiser, "Olivia"))
    other.close()
    args = ["workshop", "import-data", str(tmp_path / "out.json"), "--database-url", other.url]
    result = run(*args, "--organiser", "olivia@example.org")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "Imported 'Cyber conference' as workshop 1." in result.output  # type: ignore[attr-defined]


def test_export_refuses_an_unknown_format_or_workshop(db: Database, tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    bad = run("export", "1", "--format", "pdf", "-o", out, "--database-url", db.url)
    assert bad.exit_code == 2 and "docx" in bad.output  # type: ignore[attr-defined]
    missing = run("export", "99", "--format", "json", "-o", out, "--database-url", db.url)
    assert missing.exit_code == 1  # type: ignore[attr-defined]
    assert "That workshop does not exist." in missing.output  # type: ignore[attr-defined]


def test_import_data_refuses_a_file_of_another_schema(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"schema": "something/2"}')
    result = run("workshop", "import-data", str(path), "--database-url", db.url)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "Expected schema 'facilitator.workshop/1'" in result.output  # type: ignore[attr-defined]


def test_import_data_names_the_problem_of_a_bad_archive_and_imports_nothing(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    built = build(db)
    path = tmp_path / "out.json"
    assert run("export", str(built.workshop_id), "--format", "json", "-o", str(path),
               "--database-url", db.url).exit_code == 0  # type: ignore[attr-defined]  # fmt: skip
    doc = json.loads(path.read_text())
    doc["clusters"][0]["group_id"] = 999  # a dangling reference: a bare KeyError before
    path.write_text(json.dumps(doc))
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        result = CliRunner().invoke(
            main, ["workshop", "import-data", str(path), "--database-url", other.url]
        )
        assert result.exit_code == 1, result.output
        assert "nothing was imported: clusters[0].group_id: This names 999" in result.output
        assert other.read_sync(lambda s: s.exec(select(Workshop)).all()) == []
    finally:
        other.close()
