"""The report-back gallery in Chromium: the organiser opens it from mission control; three
phones in different groups read every group's agreed recommendations and give +1s (one of
them offline, one by keyboard alone), live on each other and on the projector; after a
reload each page shows the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Watch, axe_problems, organiser, shot, upload_setup
from tests.e2e.test_rounds import join_links

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
GALLERY_FILE = """\
title: Report-back
groups:
  - {name: Harbours, question: What should harbours fund?}
  - {name: Trainers, question: Who trains whom?}
  - {name: Regions, question: Which regions first?}
"""
GROUPS = ("Harbours", "Trainers", "Regions")
TITLES = ("Dredge the north quay", "Train the trainers first", "A CERT in every region")


def agree_one(office: Any, console_url: str, title: str) -> None:
    """In a group's console: an idea, a recommendation from it, marked agreed."""
    office.goto(console_url)
    office.wait_for_selector("#conn[data-state=online]")
    office.evaluate("(text) => window.facilitatorLive.send({type: 'submit', text})", title)
    card = office.locator("#unclustered .card-idea").first
    expect(card).to_be_visible()
    office.evaluate(
        """([title, id]) => window.facilitatorLive.send({type: "promote", source: "idea",
            source_id: Number(id), title, text: "", rationale: ""})""",
        [title, card.get_attribute("data-id")],
    )
    recs = office.locator("#recommendations")
    recs.get_by_role("button", name="Mark agreed").click()
    expect(recs.get_by_role("button", name="Undo agreement")).to_be_visible()


def count_of(page: Any, title: str) -> Any:
    return page.locator(".gallery-item", has=page.locator("h3", has_text=title)).locator(
        ".plus-count"
    )


def test_the_room_gives_plus_ones_in_the_gallery_live_and_after_a_reload(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    upload_setup(office, tmp_path, GALLERY_FILE)
    cards = {
        name: office.locator(".group-card", has=office.locator(f"text='{name}'")) for name in GROUPS
    }
    joins = list(join_links(office, GROUPS).values())
    consoles = [
        f"{base}{cards[n].get_by_role('link', name='Facilitator view').get_attribute('href')}"
        for n in GROUPS
    ]
    control = f"{base}{office.get_by_role('link', name='Mission control').get_attribute('href')}"
    for console, title in zip(consoles, TITLES, strict=True):
        agree_one(office, console, title)

    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(3)]
    for phone, join in zip(phones, joins, strict=True):
        phone.goto(join)
        phone.wait_for_selector("#conn[data-state=online]")
    office.goto(control)
    card = office.locator("#gallery")
    card.scroll_into_view_if_needed()
    card.get_by_role("button", name="Open the gallery").click()
    expect(office.locator(".notice")).to_contain_text("The gallery is open on every phone.")
    expect(office.locator("#gallery .badge")).to_have_text("Open")
    office.locator("#gallery").scroll_into_view_if_needed()
    shot(office, "gallery-mission-control")

    screen = watch.page(browser.new_context(**PROJECTOR))
    screen.context.add_cookies(office.context.cookies())
    screen.goto(control.replace("/control", "/gallery"))
    screen.wait_for_selector("#conn[data-state=online]")

    # Every phone, in whichever group, is shown the way live, and goes to the gallery.
    for phone in phones:
        link = phone.get_by_role(
            "link", name="The gallery is open: see every group's recommendations"
        )
        expect(link).to_be_visible()
        link.click()
        phone.wait_for_url("**/gallery")
        phone.wait_for_selector("#conn[data-state=online]")
    first, second, third = phones
    assert first.locator(".gallery-item h3").all_inner_texts() == list(TITLES)
    target = "Train the trainers first"
    button = first.locator(".gallery-item", has=first.locator("h3", has_text=target)).locator(
        "button"
    )
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    for page in (second, third, screen):
        expect(count_of(page, target)).to_have_text("1 +1 from the room")

    # Offline, the +1 waits on the phone, pressed, and goes once the Wi-Fi is back.
    second.context.set_offline(True)
    expect(second.locator("#conn")).to_have_attribute("data-state", "offline")
    other = second.locator(".gallery-item", has=second.locator("h3", has_text=target))
    other.locator("button").click()
    expect(other.locator("button")).to_have_attribute("aria-pressed", "true")
    expect(second.locator("#outbox")).to_contain_text("Sending your +1")
    second.context.set_offline(False)
    expect(count_of(screen, target)).to_have_text("2 +1s from the room")
    expect(second.locator("#outbox li")).to_have_count(0)

    # By keyboard alone: focus the button, press Space.
    keyed = third.locator(".gallery-item", has=third.locator("h3", has_text=target)).locator(
        "button"
    )
    keyed.focus()
    third.keyboard.press("Space")
    expect(keyed).to_have_attribute("aria-pressed", "true")
    expect(count_of(first, target)).to_have_text("3 +1s from the room")
    # Taken back on the first phone: down everywhere.
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count_of(screen, target)).to_have_text("2 +1s from the room")
    expect(count_of(third, target)).to_have_text("2 +1s from the room")
    shot(second, "gallery-phone")
    shot(screen, "gallery-projector")
    assert axe_problems(second) == []
    assert axe_problems(screen) == []

    # A reload shows what was live: the counts, and each phone's own +1.
    for page in (first, second, screen):
        page.reload()
        page.wait_for_selector("#conn[data-state=online]")
    expect(count_of(screen, target)).to_have_text("2 +1s from the room")
    expect(count_of(first, target)).to_have_text("2 +1s from the room")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(other.locator("button")).to_have_attribute("aria-pressed", "true")

    # Closed again: the phones and the screen say so, and the +1 buttons are gone.
    office.goto(control)
    office.locator("#gallery").get_by_role("button", name="Close the gallery").click()
    expect(office.locator(".notice")).to_contain_text("The gallery is closed.")
    for page in (first, screen):
        expect(page.locator("#gallery-body")).to_contain_text("The gallery is closed.")
    expect(first.locator(".plus-button")).to_have_count(0)
    assert watch.problems == []
