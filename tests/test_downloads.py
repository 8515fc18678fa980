"""Organisers download exports from the web; nobody else can."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from facilitator.models import Role
from tests.conftest import World


def test_an_organiser_downloads_each_export(world: World) -> None:
    olivia = world.organiser()
    workshop = world.workshop(olivia, groups=2)
    browser = world.logged_in(olivia)
    url = f"/organiser/workshops/{workshop.id}/export"
    xlsx = browser.get(f"{url}/xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-disposition"] == 'attachment; filename="cyber-conference.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[-1] == "Participation"
    polis = browser.get(f"{url}/polis")
    assert polis.headers["content-type"] == "application/zip"
    assert 'filename="cyber-conference-polis.zip"' in polis.headers["content-disposition"]
    md = browser.get(f"{url}/md", params={"summary": "Well done."})
    assert "Well done." in md.text and md.headers["cache-control"] == "no-store"
    assert browser.get(f"{url}/pdf").status_code == 404


def test_a_facilitator_or_a_stranger_cannot_download(world: World) -> None:
    olivia = world.organiser()
    workshop = world.workshop(olivia)
    fred = world.logged_in(world.staff("fred@example.org", Role.facilitator))
    url = f"/organiser/workshops/{workshop.id}/export/json"
    assert fred.get(url).status_code == 403
    other = world.logged_in(world.staff("otto@example.org", Role.organiser))
    assert other.get(url).status_code == 403
    anonymous = world.browser().http.get(url, follow_redirects=False)
    assert anonymous.status_code in (302, 303)


def test_pages_are_compressed_and_office_files_are_not_compressed_twice(world: World) -> None:
    olivia = world.organiser()
    workshop = world.workshop(olivia, groups=2)
    browser = world.logged_in(olivia)
    gzip = {"accept-encoding": "gzip"}
    page = browser.get(f"/organiser/workshops/{workshop.id}", headers=gzip)
    assert page.headers["content-encoding"] == "gzip"
    for fmt in ("docx", "xlsx"):
        office = browser.get(f"/organiser/workshops/{workshop.id}/export/{fmt}", headers=gzip)
        assert office.status_code == 200
        assert "content-encoding" not in office.headers
        assert office.content[:2] == b"PK"  # the zip archive itself
