"""Safe big actions in Chromium: each says what will happen before it does, and can be undone
for 10 seconds; a broadcast starts with no groups chosen."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Watch, axe_problems, confirm, organiser, shot


def test_a_broadcast_says_what_it_will_do_and_can_be_undone(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    office = organiser(browser, demo, watch)
    office.goto(demo["base_url"] + "/organiser")
    office.fill("#title", "Safe broadcasts")
    office.fill("#groups", "\n".join(f"Room {n} | What first?" for n in range(1, 8)))
    office.get_by_role("button", name="Create workshop").click()
    office.wait_for_url(re.compile(r"/organiser/workshops/\d+$"))
    join = str(
        office.locator(".group-card")
        .first.get_by_role("link", name="Join link")
        .get_attribute("href")
    )
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(join)
    phone.wait_for_selector("#conn[data-state=online]")
    office.goto(office.url + "/control")

    # Nothing is chosen for the organiser: no scope, no ticks; sending asks for a choice.
    expect(office.locator("input[name=scope]:checked")).to_have_count(0)
    expect(office.locator("input[name=group]:checked")).to_have_count(0)
    office.select_option("#b-phase", "closed")
    office.click("button[value=phase]")
    confirm(office)
    expect(office.locator(".error")).to_have_text(
        "Choose the groups first: all of them, or those ticked below."
    )
    expect(office.locator(".mission-table tbody tr", has_text="Closed")).to_have_count(0)

    # The question names the count and the phase; "Cancel" does nothing.
    office.check("input[name=scope][value=all]")
    office.select_option("#b-phase", "closed")
    office.click("button[value=phase]")
    question = office.locator(".confirm-dialog")
    expect(question).to_contain_text("Move all 7 groups to Closed?")
    shot(office, "safe-broadcast-question")
    assert axe_problems(office) == []
    office.get_by_role("button", name="Cancel").click()
    expect(question).to_be_hidden()

    # Confirmed, then undone within the 10 seconds: nothing changes, on any screen.
    office.click("button[value=phase]")
    office.get_by_role("button", name="Yes, do it").click()
    bar = office.locator(".undo-row")
    expect(bar).to_contain_text("Move all 7 groups to Closed")
    shot(office, "safe-broadcast-undo")
    bar.get_by_role("button", name="Undo").click()
    expect(bar).to_contain_text("Undone")
    office.wait_for_timeout(11_000)
    expect(office.locator(".mission-table tbody tr", has_text="Closed")).to_have_count(0)
    expect(phone.locator(".phase-name")).to_have_text("Collect ideas")

    # Confirmed and left alone: it happens after the 10 seconds.
    office.click("button[value=phase]")
    confirm(office, wait=True)
    expect(office.locator(".notice")).to_have_text("Done, for 7 groups.", timeout=20_000)
    expect(phone.locator(".phase-name")).to_have_text("Closed")

    # Ticked groups: the question counts them.
    office.check("input[name=scope][value=selected]")
    office.check("#mission-table input[name=group] >> nth=0")
    office.check("#mission-table input[name=group] >> nth=1")
    office.click("button[value=lock]")
    expect(office.locator(".confirm-dialog")).to_contain_text(
        "Pause writing in the ticked groups (2)?"
    )
    office.get_by_role("button", name="Cancel").click()


def test_console_actions_ask_first_and_can_be_undone(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    console = organiser(browser, demo, watch)
    group = demo["groups"][1]
    console.goto(demo["base_url"] + f"/facilitator/groups/{group['id']}")
    console.wait_for_selector("#conn[data-state=online]")
    column = console.locator(".theme-column").first
    name = column.locator("h3").inner_text().rsplit(" ", 1)[0]
    held = column.locator(".card-idea").count()

    # Deleting a theme says which, and what becomes of its ideas; undone, it stays.
    column.locator("details.menu summary").click()
    column.get_by_role("button", name="Delete theme (its ideas stay)").click()
    question = console.locator(".confirm-dialog")
    expect(question).to_contain_text(f"Delete the theme “{name}”? Its {held} idea")
    console.get_by_role("button", name="Yes, do it").click()
    console.locator(".undo-row").get_by_role("button", name="Undo").click()
    console.wait_for_timeout(11_000)
    expect(console.locator(".theme-column h3", has_text=name)).to_have_count(1)

    # Hiding and merging from an idea's actions ask first too; cancelled, nothing happens.
    card = console.locator("#workspace .card-idea").first
    card_id = card.get_attribute("id")
    card.get_by_role("button", name=re.compile("^Actions")).click()
    dialog = console.locator("#idea-dialog")
    dialog.get_by_role("button", name="Hide").click()
    expect(question).to_contain_text("Hide this idea from every phone?")
    console.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".merge-list")).to_have_attribute("data-ranked", "1")
    dialog.locator(".merge-choice input").first.check()  # the idea to merge into
    dialog.get_by_role("button", name="Merge", exact=True).click()
    expect(question).to_contain_text("Merge this idea into the one you chose?")
    console.get_by_role("button", name="Cancel").click()
    dialog.get_by_role("button", name="Close").click()
    expect(console.locator(f"#{card_id}")).to_have_count(1)

    # A phase step asks too, naming the phase; "Do it now" skips the wait.
    current = console.locator("button.phase-step[aria-current=step]").inner_text()
    target = "Closed" if "Closed" not in current else "Recommend"
    console.locator("button.phase-step", has_text=target).click()
    expect(question).to_contain_text(f"Move this group to “{target}”?")
    confirm(console)
    expect(console.locator("button.phase-step", has_text=target)).to_have_attribute(
        "aria-current", "step"
    )
    # Put it back as it was, for the tests that follow on the shared demo.
    console.locator("button.phase-step", has_text=current.split(". ", 1)[1]).click()
    confirm(console)
    expect(console.locator("button.phase-step[aria-current=step]")).to_have_text(current)
