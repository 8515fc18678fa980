"""An idea written offline in a round's group, sent after the organiser started the next
round: it goes to the group it was written in, once, and the phone, moved on to its new
group, is told where it went."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Watch, organiser, shot, upload_setup
from tests.e2e.test_rounds import join_links

ROUNDS_FILE = """\
title: Outbox across rounds
rounds:
  - name: First sitting
  - name: Second sitting
    assignment: stay
groups:
  - {name: Harbour, question: What should the harbour fund?}
  - {name: Airport, question: What should the airport fund?}
  - {name: Harbour later, question: Which harbour project first?, round: 2}
  - {name: Airport later, question: Which airport project first?, round: 2}
"""


def test_an_offline_idea_stays_in_its_round_when_the_next_one_starts(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    office = organiser(browser, demo, watch)
    upload_setup(office, tmp_path, ROUNDS_FILE)
    links = join_links(office, ("Harbour", "Harbour later"))
    control = office.get_by_role("link", name="Mission control").get_attribute("href")
    harbour_card = office.locator(".group-card", has=office.locator("text='Harbour'"))
    console = harbour_card.get_by_role("link", name="Facilitator view").get_attribute("href")

    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(links["Harbour"])
    phone.wait_for_selector("#conn[data-state=online]")
    phone.context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    phone.fill("#idea-text", "Dredge the north quay")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#outbox")).to_contain_text("Dredge the north quay")

    office.goto(f"{demo['base_url']}{control}")
    office.get_by_role("button", name="Start Second sitting").click()
    expect(office.locator(".notice")).to_contain_text("Second sitting has started")

    # Back online: the idea goes to Harbour first, then the page moves on to its new group
    # and says where the idea went.
    phone.context.set_offline(False)
    phone.wait_for_url(lambda url: url.endswith(links["Harbour later"]))
    phone.wait_for_selector("#conn[data-state=online]")
    kept = phone.locator("#outbox li[data-state=kept]")
    expect(kept.locator(".idea-text")).to_have_text(
        "Your idea “Dredge the north quay” went to Harbour (First sitting), "
        "the group you wrote it in."
    )
    shot(phone, "rounds-idea-kept")
    kept.get_by_role("button", name="Dismiss").click()
    expect(kept).to_have_count(0)
    expect(phone.locator("#ideas")).not_to_contain_text("Dredge the north quay")
    # Harbour's console (the first sitting's board) has it, once.
    office.goto(f"{demo['base_url']}{console}")
    office.wait_for_selector("#conn[data-state=online]")
    expect(office.locator(".card-idea", has_text="Dredge the north quay")).to_have_count(1)
    assert watch.problems == []


def test_an_idea_left_in_a_closed_page_is_sent_from_the_next_rounds_page(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    """The page was closed with the idea unsent, and opened again only after the round
    moved on, at the phone's new group: the idea still goes to the group it was written
    in, once, and the new page says where it went."""
    office = organiser(browser, demo, watch)
    upload_setup(office, tmp_path, ROUNDS_FILE.replace("Outbox across", "Closed page across"))
    links = join_links(office, ("Harbour", "Harbour later"))
    control = office.get_by_role("link", name="Mission control").get_attribute("href")
    harbour_card = office.locator(".group-card", has=office.locator("text='Harbour'"))
    console = harbour_card.get_by_role("link", name="Facilitator view").get_attribute("href")

    context = browser.new_context(**PHONE)
    phone = watch.page(context)
    phone.goto(links["Harbour"])
    phone.wait_for_selector("#conn[data-state=online]")
    context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    phone.fill("#idea-text", "Light the south pier")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#outbox")).to_contain_text("Light the south pier")
    phone.close()  # the phone is put away with the idea unsent

    office.goto(f"{demo['base_url']}{control}")
    office.get_by_role("button", name="Start Second sitting").click()
    expect(office.locator(".notice")).to_contain_text("Second sitting has started")

    context.set_offline(False)
    again = watch.page(context)
    again.goto(links["Harbour later"])
    again.wait_for_selector("#conn[data-state=online]")
    kept = again.locator("#outbox li[data-state=kept]")
    expect(kept.locator(".idea-text")).to_have_text(
        "Your idea “Light the south pier” went to Harbour (First sitting), "
        "the group you wrote it in."
    )
    expect(again.locator("#ideas")).not_to_contain_text("Light the south pier")
    # Nothing is left to send: a reload sends nothing again and shows nothing pending.
    again.reload()
    again.wait_for_selector("#conn[data-state=online]")
    expect(again.locator("#outbox li")).to_have_count(0)

    office.goto(f"{demo['base_url']}{console}")
    office.wait_for_selector("#conn[data-state=online]")
    expect(office.locator(".card-idea", has_text="Light the south pier")).to_have_count(1)
    assert watch.problems == []
