"""Issue #24 in a browser: mission control's and the projector's results follow answers live
and equal their reloads; a moment not open yet reads as such on a phone; under the Chatham
House Rule a phone is told so and asked no name, and the console names no one."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import (
    LAPTOP,
    PHONE,
    Watch,
    axe_problems,
    confirm,
    organiser,
    shot,
    upload_setup,
)
from tests.e2e.test_live_equals_reload import PROJECTOR, LivePage, agree, new_workshop


def add_scale_question(
    office: Any, questions: str, asked: tuple[str, ...] = ("joining", "event")
) -> None:
    """A 1–5 scale, "How confident are you?", asked at these moments."""
    office.goto(questions)
    office.fill("#q-text", "How confident are you?")
    for moment in ("joining", "round", "event", "followup"):
        office.set_checked(f"input[name=moments][value={moment}]", moment in asked)
    office.fill("#q-low", "Not at all")
    office.fill("#q-high", "Fully")
    office.get_by_role("button", name="Add question").click()
    expect(office.locator(f"#moment-{asked[0]}")).to_contain_text("1")


def answer(phone: Any, step: int) -> None:
    """Tap a number on the (first) scale and send."""
    phone.locator(".question").nth(0).locator(".scale-step").nth(step).click()
    phone.get_by_role("button", name="Send answers").click()
    expect(phone.get_by_text("your answers are saved")).to_be_visible()


def test_results_follow_answers_live_and_a_moment_not_open_yet_says_so(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = new_workshop(office, base)
    questions = made["workshop"] + "/questions"
    add_scale_question(office, questions)

    control = watch.page(office.context.browser.new_context(**LAPTOP))
    control.context.add_cookies(office.context.cookies())
    control.goto(made["workshop"] + "/control")
    wall = watch.page(office.context.browser.new_context(**PROJECTOR))
    wall.context.add_cookies(office.context.cookies())
    wall.goto(questions + "/projector")
    results = [
        LivePage("mission control", control, "#impact-results", socket=False),
        LivePage("results projector", wall, "#impact-results", socket=False),
    ]
    problems: list[str] = []
    expect(control.locator("#impact-results")).to_contain_text("n = 0")

    phones = []
    for step in (1, 2, 3):  # the baseline first: a new phone goes to the questions
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(made["join"])
        expect(phone.get_by_role("heading", name="A few questions")).to_be_visible()
        answer(phone, step)
        phones.append(phone)
    for page in (control, wall):  # live: neither page is reloaded
        expect(page.locator("#impact-results")).to_contain_text("n = 3")
        expect(page.locator("#impact-results")).to_contain_text("mean 3.0")
    agree(results, "baseline answers", problems)

    # The end-of-event questions, before the organiser opens them: a plain message.
    code = made["join"].rstrip("/").rsplit("/", 1)[1]
    phones[0].goto(f"{base}/j/{code}/questions/event")
    expect(phones[0].locator("#not-open-yet")).to_contain_text("not open yet")
    expect(phones[0].locator("form .question")).to_have_count(0)
    shot(phones[0], "impact-not-open-yet-phone")
    assert axe_problems(phones[0]) == []
    phones[0].get_by_role("link", name="Back to the board").click()
    expect(phones[0].locator("#conn[data-state=online]")).to_be_attached()

    office.goto(questions)
    office.locator("#moment-event").get_by_role("button", name="Open").click()
    for phone, step in zip(phones, (3, 4, 4), strict=True):
        phone.goto(f"{base}/j/{code}/questions/event")
        answer(phone, step)
    for page in (control, wall):
        expect(page.locator("#impact-results .impact-change")).to_contain_text("+1.67")
    agree(results, "end-of-event answers", problems)
    control.locator("#impact-results").scroll_into_view_if_needed()
    shot(control, "impact-results-live-laptop")
    shot(wall, "impact-results-live-projector")
    small = watch.page(office.context.browser.new_context(**PHONE))
    small.context.add_cookies(office.context.cookies())
    small.goto(made["workshop"] + "/control")
    small.locator("#impact-results .impact-change").scroll_into_view_if_needed()
    shot(small, "impact-results-phone")
    assert axe_problems(small) == []
    laptop = watch.page(browser.new_context(**LAPTOP))  # a participant on a laptop
    laptop.goto(made["join"])
    expect(laptop.get_by_role("heading", name="A few questions")).to_be_visible()
    laptop.goto(f"{base}/j/{code}/questions/round")  # nothing is asked at that moment
    expect(laptop.locator("#no-questions")).to_be_visible()
    shot(laptop, "impact-no-questions-laptop")
    assert problems == [], "\n".join(problems)


def test_under_the_chatham_house_rule_a_phone_is_told_and_asked_no_name(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = new_workshop(office, base)

    named = watch.page(browser.new_context(**PHONE))
    named.goto(made["join"])
    named.locator(".name-box summary").click()
    named.fill("#display-name", "Quillon Varga")
    named.locator("#name-form").get_by_role("button", name="Save").click()
    expect(named.locator(".name-box summary")).to_contain_text("Quillon Varga")
    named.fill("#idea-text", "Fund the regional helpdesk")
    named.click("#compose button[type=submit]")
    console = watch.page(office.context.browser.new_context(**LAPTOP))
    console.context.add_cookies(office.context.cookies())
    console.goto(made["console"])
    expect(console.locator("#workspace")).to_contain_text("Quillon Varga")

    office.goto(made["workshop"])
    office.get_by_role("button", name="Turn the rule on").click()
    confirm(office)
    expect(office.locator("#chatham-house")).to_contain_text("On.")
    office.locator("#chatham-house").scroll_into_view_if_needed()
    shot(office, "chatham-house-workshop-laptop")
    assert axe_problems(office) == []

    for lang, words in [
        ("en-GB", "Chatham House Rule"),
        ("fr-FR", "règle de Chatham House"),
        ("es-ES", "regla de Chatham House"),
        ("ar", "قاعدة تشاتام هاوس"),
    ]:
        phone = watch.page(browser.new_context(**PHONE, locale=lang))
        phone.goto(made["join"])
        expect(phone.locator("#chatham-notice")).to_contain_text(words)
        expect(phone.locator("#name-form")).to_have_count(0)
        shot(phone, f"chatham-house-phone-{lang[:2]}")
        assert axe_problems(phone) == [], lang
    named.reload()
    expect(named.locator("#chatham-notice")).to_be_visible()
    expect(named.locator("body")).not_to_contain_text("Quillon Varga")
    console.reload()
    expect(console.locator("#workspace")).to_contain_text("Fund the regional helpdesk")
    expect(console.locator("body")).not_to_contain_text("Quillon Varga")
    shot(console, "chatham-house-console-laptop")


ROUND_QUESTIONS = """\
title: Rounds with questions
rounds: [{name: Morning round}, {name: Afternoon round, assignment: stay}]
groups:
  - {name: Funding, question: What should we fund first?}
  - {name: Money, question: Where does the money come from?, round: 2}
questions:
  - {text: How sure are you?, kind: scale, scale: 1-5, low_label: Not at all,
     high_label: Fully, asked: [joining, round]}
"""


def test_the_end_of_each_round_is_opened_and_answered_on_its_own(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Any
) -> None:
    office = organiser(browser, demo, watch)
    upload_setup(office, tmp_path, ROUND_QUESTIONS)
    join = str(
        office.locator(".group-card")
        .first.get_by_role("link", name="Join link")
        .get_attribute("href")
    )
    control = str(office.get_by_role("link", name="Mission control").get_attribute("href"))
    workshop = demo["base_url"] + control.removesuffix("/control")
    office.goto(workshop + "/questions")
    office.locator("#moment-round-1").get_by_role("button", name="Open").click()
    expect(office.locator("#moment-round-1")).to_contain_text("Open now")
    expect(office.locator("#moment-round-2")).to_contain_text("Open")

    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(join)
    answer(phone, 1)  # the baseline
    phone.get_by_role("link", name="Answer", exact=True).click()
    expect(phone.get_by_text("Asked at the end of round 1")).to_be_visible()
    answer(phone, 3)
    shot(phone, "impact-round-1-answered-phone")

    office.goto(workshop + "/questions")
    office.locator("#moment-round-1").get_by_role("button", name="Close").click()
    office.locator("#moment-round-2").get_by_role("button", name="Open").click()
    expect(office.locator("#moment-round-2")).to_contain_text("Open now")
    office.locator("#moments-heading, h2").first.scroll_into_view_if_needed()
    shot(office, "impact-rounds-questions-laptop")
    office.goto(workshop + "/control")
    results = office.locator("#impact-results")
    expect(results).to_contain_text("at the end of round 1")
    expect(results).to_contain_text("at the end of round 2")
    expect(results.locator(".impact-change")).to_contain_text("+2.00")
    results.scroll_into_view_if_needed()
    shot(office, "impact-rounds-results-laptop")
