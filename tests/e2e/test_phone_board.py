"""Phones and a facilitator in Chromium: live ideas, offline sending, reload with an unsent idea."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, shot


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
    laptop.wait_for_selector("#unclustered .idea-text:text('Twin our CERT with three regional CERTs')")
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
    group = demo["groups"][1]
    context, phone = submit_while_offline(browser, watch, group, "Written with no signal")
    shot(phone, "phone-offline")
    context.set_offline(False)
    phone.wait_for_selector("#ideas .idea-text:text('Written with no signal')")
    expect(phone.locator("#outbox li")).to_have_count(0)
    observer = watch.page(browser.new_context(**PHONE))
    observer.goto(group["join_url"])
    assert count_on_board(observer, "Written with no signal") == 1


def test_an_unsent_idea_survives_closing_the_page(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][2]
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
    group = demo["groups"][3]
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
