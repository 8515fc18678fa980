"""A whole breakout in Chromium: two phones and a facilitator go from collecting ideas to
agreed recommendations, clustering both by dragging and by keyboard alone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, shot
from tests.e2e.test_phone_board import log_in

IDEAS = [
    "Fund regional CERT twinning for three years",
    "Multi-year grants for CERT staff salaries",
    "Scholarships for women in cyber security",
    "Mentoring networks for young analysts",
]


def add_theme(page: Any, name: str) -> None:
    page.fill("#new-theme", name)
    page.press("#new-theme", "Enter")
    page.wait_for_selector(f".theme-column h3:text('{name}')")


def card(page: Any, text: str) -> Any:
    return page.locator("#workspace .card-idea", has_text=text)


def test_a_breakout_from_collect_to_agreed_recommendations(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][5]  # the group that has just started
    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(2)]
    for phone in phones:
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
    console = watch.page(browser.new_context(**LAPTOP))
    log_in(console, group)

    for n, text in enumerate(IDEAS):
        phone = phones[n % 2]
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")
    for text in IDEAS:
        expect(card(console, text)).to_have_count(1)
        for phone in phones:
            expect(phone.locator("#ideas .idea-text", has_text=text)).to_have_count(1)

    console.click("button.phase-step:text('Find themes')")
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=cluster]")
        expect(phone.locator("#compose")).to_be_hidden()
    add_theme(console, "Stronger CERTs")
    add_theme(console, "People and skills")

    # By dragging: the newest idea, first among the unclustered, into the second theme.
    card(console, IDEAS[3]).drag_to(console.locator(".theme-column ul.cards").nth(1))
    expect(console.locator(".theme-column").nth(1).locator(".card-idea")).to_have_count(1)

    # By keyboard alone: focus the card's Actions button, choose the theme, confirm.
    for text, theme_index in ((IDEAS[0], 1), (IDEAS[1], 1), (IDEAS[2], 2)):
        card(console, text).locator(".card-actions").focus()
        console.keyboard.press("Enter")
        expect(console.locator("#idea-dialog")).to_be_visible()
        for _ in range(theme_index):
            console.keyboard.press("ArrowDown")
        console.keyboard.press("Tab")
        console.keyboard.press("Enter")
        expect(console.locator("#idea-dialog")).to_be_hidden()
        theme = console.locator(".theme-column").nth(theme_index - 1)
        expect(theme.locator(".card-idea", has_text=text)).to_have_count(1)
    shot(console, "console-clustered")
    for phone in phones:
        expect(phone.locator(".theme h3", has_text="Stronger CERTs")).to_have_count(1)

    console.click("button.phase-step:text('Vote')")
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=vote]")
        theme = phone.locator(".theme", has_text="Stronger CERTs")
        theme.locator("form[data-command=vote] button").click()
        theme.locator("form[data-command=vote] button").click()
        expect(theme.locator(".my-dots")).to_have_text("2")
        expect(phone.locator("#dots-left")).to_have_text("3")
        expect(phone.locator(".tally")).to_have_count(0)  # tallies hidden until revealed
    shot(phones[0], "phone-voting")
    expect(console.locator("#tally-cluster-1, .theme-column .tally").first).to_be_visible()
    console.click("button:text('Reveal tallies to phones')")
    expect(phones[0].locator(".theme", has_text="Stronger CERTs").locator(".tally")).to_have_text(
        "4 dots"
    )

    console.click("button.phase-step:text('Recommend')")
    console.wait_for_selector("button.phase-step.current:text('Recommend')")
    first_theme = console.locator(".theme-column").nth(0)
    first_theme.locator(".menu > summary").click()
    first_theme.locator("form[data-command=promote] button").click()
    recommendation = console.locator("#recommendations .rec")
    expect(recommendation).to_have_count(1)
    expect(recommendation).to_contain_text("4 dots")
    recommendation.locator("form[data-command=agree] button").click()
    expect(console.locator("#recommendations .rec.agreed")).to_have_count(1)
    console.click("button.phase-step:text('Closed')")
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=closed]")
        expect(phone.locator(".rec-list")).to_contain_text("Stronger CERTs")
    shot(phones[1], "phone-closed")
    shot(console, "console-closed")
