"""Rounds in Chromium: phones in three groups of a first round; the organiser starts the
second from mission control and every phone moves, live, to its group of the new round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Watch, axe_problems, organiser, shot, upload_setup

ROUNDS_FILE = """\
title: Two rounds of three
rounds:
  - name: Morning round
  - name: Afternoon round
    assignment: random
groups:
  - {name: Funding, question: What should we fund first?}
  - {name: Skills, question: Which skills do we lack?}
  - {name: Policy, question: Which policy would help most?}
  - {name: Money, question: Where does the money come from?, round: 2}
  - {name: People, question: Who do we hire?, round: 2}
  - {name: Rules, question: Which rules change?, round: 2}
"""
FIRST = ("Funding", "Skills", "Policy")
SECOND = ("Money", "People", "Rules")


def join_links(page: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {
        name: str(
            page.locator(".group-card", has=page.locator(f"text='{name}'"))
            .get_by_role("link", name="Join link")
            .get_attribute("href")
        )
        for name in names
    }


def test_every_phone_moves_to_its_group_when_the_next_round_starts(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    office = organiser(browser, demo, watch)
    upload_setup(office, tmp_path, ROUNDS_FILE)
    first, second = join_links(office, FIRST), join_links(office, SECOND)
    setup_card = office.locator("#round-setup")
    for name in SECOND:  # each group in its round, as the file said
        chosen = setup_card.get_by_label(name).locator("option:checked")
        expect(chosen).to_have_text("Afternoon round")
    setup_card.scroll_into_view_if_needed()
    shot(office, "rounds-workshop-page")
    control = office.get_by_role("link", name="Mission control").get_attribute("href")

    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(6)]
    for n, phone in enumerate(phones):
        phone.goto(first[FIRST[n % 3]])
        phone.wait_for_selector("#conn[data-state=online]")

    office.goto(f"{demo['base_url']}{control}")
    rounds = office.locator("#rounds")
    expect(rounds.locator("li.current")).to_contain_text("Morning round")
    assert axe_problems(office) == []
    rounds.scroll_into_view_if_needed()
    shot(office, "rounds-mission-control")
    rounds.get_by_role("button", name="Start Afternoon round").click()
    expect(office.locator(".notice")).to_contain_text(
        "Afternoon round has started: 6 phones seated, 0 choosing."
    )
    expect(office.locator("#rounds li.current")).to_contain_text("Afternoon round")

    # Each phone, without a touch, is now on its group of the afternoon: two to a table.
    seats: dict[str, int] = {}
    for phone in phones:
        phone.wait_for_url(lambda url: any(url.endswith(link) for link in second.values()))
        phone.wait_for_selector("#conn[data-state=online]")
        name = next(n for n, link in second.items() if phone.url.endswith(link))
        seats[name] = seats.get(name, 0) + 1
    assert seats == dict.fromkeys(SECOND, 2)
    expect(phones[0].locator("#round-notice")).to_be_hidden()  # empty on the new board
    assert axe_problems(phones[0]) == []
    shot(phones[0], "rounds-phone-moved")

    # The old round's link now leads on to the phone's own group, not back.
    phones[1].goto(first["Funding"])
    phones[1].wait_for_url(lambda url: any(url.endswith(link) for link in second.values()))
