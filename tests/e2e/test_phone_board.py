"""Phones and a facilitator in Chromium: live ideas, offline sending, reload with an unsent idea."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, confirm, organiser, read_qr, shot, tab_to


def count_on_board(page: Any, text: str) -> int:
    return int(page.locator("#ideas .idea-text", has_text=text).count())


def log_in(page: Any, group: dict[str, Any]) -> None:
    page.goto(group["facilitator_url"])
    page.fill("#email", group["facilitator_email"])
    page.fill("#password", group["facilitator_password"])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("#conn[data-state=online]")


def test_phones_and_facilitator_see_ideas_live(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][0]
    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(2)]
    for phone in phones:
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
    laptop = watch.page(browser.new_context(**LAPTOP))
    log_in(laptop, group)
    expect(laptop.locator("#presence .stat strong")).to_have_text("2")

    # From the QR link to typing: the text box is right there; one tap to focus it.
    first = phones[0]
    first.tap("#idea-text")
    first.keyboard.type("Twin our CERT with three regional CERTs")
    first.tap("#compose button[type=submit]")
    for page in phones:
        page.wait_for_selector("#ideas .idea-text:text('Twin our CERT with three regional CERTs')")
    laptop.wait_for_selector(
        "#unclustered .idea-text:text('Twin our CERT with three regional CERTs')"
    )
    first.wait_for_selector("#ideas .idea.mine")
    assert count_on_board(phones[1], "Twin our CERT") == 1
    assert phones[1].locator("#ideas .idea.mine").count() == 0
    assert first.locator("#outbox li").count() == 0
    shot(first, "phone-board")
    shot(laptop, "facilitator-group")


def submit_while_offline(
    browser: Any, watch: Watch, group: dict[str, Any], text: str
) -> tuple[Any, Any]:
    """A phone on its board loses the network, then sends an idea: it waits in the outbox."""
    context = browser.new_context(**PHONE)
    phone = watch.page(context)
    phone.goto(group["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    context.set_offline(True)
    phone.wait_for_selector("#conn[data-state=offline]")
    phone.fill("#idea-text", text)
    phone.click("#compose button[type=submit]")
    phone.wait_for_selector("#outbox li[data-state=offline]")
    return context, phone


def test_offline_submission_arrives_exactly_once(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][4]  # still collecting ideas
    context, phone = submit_while_offline(browser, watch, group, "Written with no signal")
    expect(phone.locator("#conn")).to_contain_text("Offline")
    shot(phone, "phone-offline")
    context.set_offline(False)
    expect(phone.locator("#conn")).to_have_text("Live")
    phone.wait_for_selector("#ideas .idea-text:text('Written with no signal')")
    expect(phone.locator("#outbox li")).to_have_count(0)
    observer = watch.page(browser.new_context(**PHONE))
    observer.goto(group["join_url"])
    assert count_on_board(observer, "Written with no signal") == 1


def test_an_unsent_idea_survives_closing_the_page(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][6]  # still collecting ideas
    context, phone = submit_while_offline(browser, watch, group, "Typed before the battery died")
    phone.close()
    context.set_offline(False)
    again = watch.page(context)
    again.goto(group["join_url"])
    again.wait_for_selector("#ideas .idea-text:text('Typed before the battery died')")
    expect(again.locator("#outbox li")).to_have_count(0)
    again.reload()
    again.wait_for_selector("#conn[data-state=online]")
    assert count_on_board(again, "Typed before the battery died") == 1
    mine = again.locator("#ideas .idea", has_text="battery died").get_attribute("class") or ""
    assert "mine" in mine.split()


def test_a_phone_edits_and_withdraws_its_own_idea(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][0]
    phone, other = (watch.page(browser.new_context(**PHONE)) for _ in range(2))
    for page in (phone, other):
        page.goto(group["join_url"])
        page.wait_for_selector("#conn[data-state=online]")
    phone.fill("#idea-text", "Protect water utilities frist")
    phone.click("#compose button[type=submit]")
    mine = phone.locator("#ideas .idea.mine")
    expect(mine).to_have_count(1)
    mine.get_by_role("link", name="Edit").click()
    editor = mine.locator("textarea")
    editor.fill("Protect water utilities first")
    shot(phone, "phone-editing")
    mine.get_by_role("button", name="Save").click()
    expect(other.locator("#ideas .idea-text", has_text="utilities first")).to_have_count(1)
    expect(other.locator("#ideas .idea", has_text="utilities first")).to_contain_text("edited")
    withdraw = phone.locator("#ideas .idea.mine").get_by_role("button", name="Withdraw")
    withdraw.click()
    expect(withdraw).to_have_text("Tap again to withdraw")
    withdraw.click()
    expect(other.locator("#ideas .idea-text", has_text="utilities first")).to_have_count(0)
    expect(phone.locator("#ideas .idea.mine")).to_have_count(0)


def test_from_the_qr_code_to_typing_in_at_most_two_taps(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    office = organiser(browser, demo, watch)
    office.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/cards")
    card_link = read_qr(office.locator(".card-qr").first)
    assert card_link == demo["groups"][0]["join_url"]
    office.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}")
    workshop_link = office.locator("section[aria-labelledby=join-heading] a").first

    # The group's card: the link opens the board, and one tap on the box starts typing.
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(card_link)
    phone.tap("#idea-text")
    expect(phone.locator("#idea-text")).to_be_focused()
    phone.keyboard.type("Typed after one tap")
    expect(phone.locator("#idea-text")).to_have_value("Typed after one tap")

    # The workshop's code: one tap picks the group, a second starts typing.
    other = watch.page(browser.new_context(**PHONE))
    other.goto(str(workshop_link.get_attribute("href")))
    other.get_by_role("link", name=re.compile(demo["groups"][0]["name"])).tap()
    other.tap("#idea-text")
    expect(other.locator("#idea-text")).to_be_focused()


SEND_IN_VIEW = """() => {
  const send = document.querySelector("#compose button[type=submit]").getBoundingClientRect();
  const view = window.visualViewport;
  return send.top >= 0 && send.bottom <= view.height;
}"""


def test_the_keyboard_never_hides_the_send_button(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(demo["groups"][0]["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    for scrolled in (False, True):
        phone.set_viewport_size(PHONE["viewport"])
        if scrolled:  # down among the ideas, as someone reading before writing
            phone.mouse.wheel(0, 1500)
        phone.tap("#idea-text")
        # The on-screen keyboard takes about half of the screen (interactive-widget=
        # resizes-content makes Chromium shrink the page to what is left).
        phone.set_viewport_size({"width": 390, "height": 400})
        phone.wait_for_function(SEND_IN_VIEW)
        expect(phone.locator("#idea-text")).to_be_focused()
        phone.keyboard.type("Still visible")
        expect(phone.locator("#compose button[type=submit]")).to_be_in_viewport()
        phone.fill("#idea-text", "")


def test_the_participant_page_is_small_and_compressed(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    phone = watch.page(browser.new_context(**PHONE))
    loaded: list[Any] = []
    phone.on("requestfinished", lambda request: loaded.append(request))
    phone.goto(demo["groups"][0]["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    phone.wait_for_load_state("networkidle")
    total, text_kinds = 0, ("text/html", "text/css", "javascript")
    for request in loaded:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        response = request.response()
        kind = response.headers.get("content-type", "")
        if any(k in kind for k in text_kinds) and sizes["responseBodySize"] > 1000:
            assert response.headers.get("content-encoding") in ("gzip", "br"), request.url
    assert {r.url.split("?")[0].rsplit("/", 1)[-1] for r in loaded} >= {"app.css", "live.js"}
    assert total <= 60 * 1024, f"{total} bytes on first load"


def test_live_regions_announce_new_ideas_and_phases_politely(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][5]  # collecting ideas; this test moves it on to themes
    writer, listener = (watch.page(browser.new_context(**PHONE)) for _ in range(2))
    for phone in (writer, listener):
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
    console = watch.page(browser.new_context(**LAPTOP))
    log_in(console, group)
    for page in (listener, console):
        regions = page.eval_on_selector_all(
            "[aria-live]", "els => els.map(e => e.getAttribute('aria-live'))"
        )
        assert regions and set(regions) == {"polite"}
        expect(page.locator("#conn")).to_have_attribute("role", "status")

    writer.fill("#idea-text", "Paid internships for career changers")
    writer.click("#compose button[type=submit]")
    for page in (listener, console):
        expect(page.locator("#announcer")).to_have_text(
            "New idea: Paid internships for career changers"
        )
    console.locator("button.phase-step", has_text="Find themes").click()
    confirm(console)
    expect(listener.locator("#announcer")).to_have_text("Now: Find themes")
    expect(console.locator("#announcer")).to_contain_text("Find themes")


FOCUS_SHOWN = "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"


def test_a_board_works_by_keyboard_alone(browser: Any, demo: dict[str, Any], watch: Watch) -> None:
    page = watch.page(browser.new_context(**LAPTOP))
    page.goto(demo["groups"][4]["join_url"])  # collecting ideas
    page.wait_for_selector("#conn[data-state=online]")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    tab_to(page, page.locator("#idea-text"))
    page.keyboard.type("Written without a mouse")
    page.keyboard.press("Enter")  # sends on a laptop; Shift+Enter starts a new line
    expect(page.locator("#ideas .idea-text", has_text="Written without a mouse")).to_have_count(1)

    page.goto(demo["groups"][2]["join_url"])  # voting
    page.wait_for_selector("#conn[data-state=online]")
    left = int(page.locator("#dots-left").inner_text())
    tab_to(page, page.locator("form[data-command=vote] button").first)
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    expect(page.locator("#dots-left")).to_have_text(str(left - 1))
