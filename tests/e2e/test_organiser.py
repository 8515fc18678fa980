"""The organiser in Chromium: mission control reaches every phone; projector and join cards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, confirm, shot

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
EXAMPLE = Path(__file__).parents[2] / "examples" / "workshop.yaml"


def organiser_page(browser: Any, demo: dict[str, Any], watch: Watch, size: dict[str, Any]) -> Any:
    page = watch.page(browser.new_context(**size))
    page.goto(f"{demo['base_url']}/login")
    page.fill("#email", demo["organiser_email"])
    page.fill("#password", demo["organiser_password"])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/organiser")
    return page


def test_mission_control_broadcasts_a_banner_to_every_phone(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    phones = []
    for group in demo["groups"][:2]:
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
        phones.append(phone)
    control = organiser_page(browser, demo, watch, LAPTOP)
    control.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/control")
    expect(control.locator(".mission-table tbody tr")).to_have_count(len(demo["groups"]))
    control.fill("#b-announce", "Five minutes left, then back to the main hall")
    control.click("button[value=announce]")
    confirm(control)
    expect(control.locator(".notice")).to_contain_text("Done")
    for phone in phones:
        expect(phone.locator(".announcement")).to_have_text(
            "Five minutes left, then back to the main hall"
        )
    shot(control, "mission-control")
    shot(phones[0], "phone-banner")
    control.click("button[value=clear]")
    confirm(control)
    for phone in phones:
        expect(phone.locator(".announcement")).to_have_count(0)


def test_mission_control_follows_the_groups_and_keeps_what_the_organiser_ticked(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    """The table refreshes by itself (poll.js): a new idea shows in its group's row within
    a few seconds, while the boxes the organiser ticked stay ticked and the Server panel's
    explanation stays open; a reload shows the same count."""
    group = demo["groups"][0]
    control = organiser_page(browser, demo, watch, LAPTOP)
    url = f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/control"
    control.goto(url)
    row = control.locator(f"#mission-{group['id']}")
    ideas = row.locator("td").nth(3)
    before = int(ideas.inner_text())
    control.check(f"#pick-{group['id']}")
    control.locator("#server-panel summary").click()
    expect(control.locator("#server-panel details")).to_have_attribute("open", "")

    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(group["join_url"])
    phone.fill("#idea-text", "Counted on mission control without a reload")
    phone.click("#compose button[type=submit]")
    expect(phone.locator("#ideas .idea-text", has_text="without a reload")).to_have_count(1)

    expect(ideas).to_have_text(str(before + 1), timeout=10_000)
    expect(control.locator(f"#pick-{group['id']}")).to_be_checked()
    control.wait_for_timeout(3500)  # the Server panel refreshes too
    expect(control.locator("#server-panel details")).to_have_attribute("open", "")
    control.reload()
    expect(control.locator(f"#mission-{group['id']} td").nth(3)).to_have_text(str(before + 1))


def test_projector_and_join_cards_render(browser: Any, demo: dict[str, Any], watch: Watch) -> None:
    screen = organiser_page(browser, demo, watch, PROJECTOR)
    group = demo["groups"][0]
    screen.goto(f"{demo['base_url']}/facilitator/groups/{group['id']}/projector")
    screen.wait_for_selector("#conn[data-state=online]")
    expect(screen.locator(".projector-join .code")).to_have_text(
        f"{group['code'][:4]}-{group['code'][4:]}"
    )
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(group["join_url"])
    phone.fill("#idea-text", "Seen from the back of the room")
    phone.click("#compose button[type=submit]")
    expect(screen.locator("#ideas .idea-text", has_text="Seen from the back")).to_have_count(1)
    shot(screen, "projector-group")
    screen.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/projector")
    expect(screen.locator(".projector-themes > li")).to_have_count(len(demo["groups"]))
    shot(screen, "projector-workshop")
    screen.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/cards")
    expect(screen.locator(".join-card")).to_have_count(len(demo["groups"]))
    shot(screen, "join-cards")


def test_the_demo_downloads_read_like_a_real_event(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    """Issue #22 (defects 8, 9, 10 and item 8), as an organiser of the demo downloads them."""
    office = organiser_page(browser, demo, watch, LAPTOP)
    with office.expect_download() as example:
        office.get_by_role("link", name="Download an example to start from").click()
    assert example.value.suggested_filename == "workshop.yaml"
    assert Path(example.value.path()).read_bytes() == EXAMPLE.read_bytes()

    office.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}")
    files = {}
    for label in ("Event report (Word)", "Spreadsheet"):
        with office.expect_download() as download:
            office.get_by_role("button", name=label).click()
        files[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[label])
    report = docx.Document(str(files["Event report (Word)"]))
    (table,) = report.tables
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert table.rows[0]._tr.find(f"{w}trPr/{w}tblHeader") is not None
    first_ideas = [row.cells[7].text for row in table.rows[1:]]
    assert not all(t == "0 min" for t in first_ideas), first_ideas
    text = "\n".join(p.text for p in report.paragraphs)
    assert "(0 votes)" not in text and "funded priority" not in text

    book = load_workbook(files["Spreadsheet"])
    assert "Final recommendations" in book.sheetnames
    assert all(sheet.auto_filter.ref for sheet in book)
    head, *rows = [list(r) for r in book["Participation"].iter_rows(values_only=True)]
    assert sum(r[head.index("Ideas moderated")] for r in rows[:-1]) > 0
    themes = [list(r) for r in book["Themes"].iter_rows(min_row=2, values_only=True)]
    by_group: dict[str, list[int]] = {}
    for _id, group, _name, _ideas, dots in themes:
        by_group.setdefault(group, []).append(dots)
    voted = [dots for dots in by_group.values() if any(dots)]
    assert voted and all(len(set(dots)) > 1 for dots in voted)  # never 9/9/9/9
