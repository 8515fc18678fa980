"""Live equals reload for the phone's questions card (issue #24): when the organiser opens or
closes a moment, a phone left open shows the same card, answered or not, as one reloaded."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Watch, organiser, shot
from tests.e2e.test_impact_live import add_scale_question
from tests.e2e.test_live_equals_reload import LivePage, agree, new_workshop


def test_opening_and_closing_a_moment_reaches_phones_live(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = new_workshop(office, base)
    questions = made["workshop"] + "/questions"
    add_scale_question(office, questions, ("event",))

    phones = []
    for _ in range(2):
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(made["join"])
        phone.wait_for_selector("#conn[data-state=online]")
        phones.append(phone)
    pages = [LivePage(f"phone {n}", p, "#board") for n, p in enumerate(phones, 1)]
    problems: list[str] = []

    def moment(action: str) -> None:
        office.goto(questions)
        office.locator("#moment-event").get_by_role("button", name=action).click()

    moment("Open")
    for phone in phones:  # live, without a reload
        expect(phone.locator("#questions-event")).to_contain_text("1 quick question")
    agree(pages, "the moment opened", problems)

    phones[1].get_by_role("link", name="Answer", exact=True).click()
    phones[1].locator(".question").nth(0).locator(".scale-step").nth(3).click()
    phones[1].get_by_role("button", name="Send answers").click()
    expect(phones[1].get_by_text("your answers are saved")).to_be_visible()
    phones[1].wait_for_selector("#conn[data-state=online]")

    moment("Close")
    for phone in phones:
        expect(phone.locator(".questions-card")).to_have_count(0)
    agree(pages, "the moment closed", problems)

    moment("Open")  # again: each phone's own card, answered or not
    expect(phones[0].locator("#questions-event")).to_contain_text("1 quick question")
    expect(phones[1].locator("#questions-event")).to_contain_text("You answered")
    shot(phones[0], "questions-card-live")
    shot(phones[1], "questions-card-live-answered")
    agree(pages, "the moment opened again", problems)
    assert problems == [], "\n".join(problems)
