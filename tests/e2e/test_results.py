"""After the vote, in Chromium: phones vote from their first screen with their dots left
pinned in view, the "+" says no before a tap when nothing is left, and the console, the phones
(once revealed) and the projector rank themes and ideas by dots, ties shown as ties, while the
console counts the phones that have voted. Mission control gives one idea count, explained."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, axe_problems, confirm, organiser, shot

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
IDEAS = [
    "Give every ministry a named incident contact",
    "Fund a regional training centre for CERT staff",
    "Share threat reports in plain language",
    "Exercise the national response plan every year",
    "Pay analysts enough to stay",
]


def send(page: Any, **fields: Any) -> None:
    """A command through the page's outbox, as its forms send them; waits for the answer."""
    page.evaluate("(c) => window.facilitatorLive.send(c)", fields)
    page.wait_for_function(
        "() => !Object.keys(localStorage).some((k) => k.startsWith('facilitator:outbox:')"
        " && JSON.parse(localStorage.getItem(k) || '[]').length)"
    )


def fresh_group(office: Any, base: str) -> dict[str, str]:
    office.goto(base + "/organiser")
    office.fill("#title", "Results workshop")
    office.fill("#groups", "Response room | How do we respond faster to incidents?")
    office.get_by_role("button", name="Create workshop").click()
    office.wait_for_url(re.compile(r"/organiser/workshops/\d+$"))
    card = office.locator(".group-card").first
    return {
        "workshop": office.url,
        "join": str(card.get_by_role("link", name="Join link").get_attribute("href")),
        "console": base
        + str(card.get_by_role("link", name="Facilitator view").get_attribute("href")),
    }


def in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_vote_from_first_screen_to_ranked_results(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    console = organiser(browser, demo, watch)
    made = fresh_group(console, base)
    console.goto(made["console"])
    console.wait_for_selector("#conn[data-state=online]")
    phones = []
    for _ in range(3):
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(made["join"])
        phone.wait_for_selector("#conn[data-state=online]")
        phones.append(phone)

    # A name with a space in it keeps the space before it (defect 3).
    phones[0].locator(".name-box summary").click()
    phones[0].fill("#display-name", "Aisha (Kenya CERT)")
    phones[0].click("#name-form button[type=submit]")
    phones[0].wait_for_selector("#conn[data-state=online]")
    summary = phones[0].locator(".name-box summary")
    assert summary.inner_text() == "You appear as Aisha (Kenya CERT)"

    for n, text in enumerate(IDEAS):
        phones[n % 3].fill("#idea-text", text)
        phones[n % 3].click("#compose button[type=submit]")
    expect(console.locator("#workspace .card-idea")).to_have_count(len(IDEAS))
    ids = {
        str(el.inner_text()): int(str(el.evaluate("(e) => e.closest('li').dataset.id")))
        for el in console.locator("#workspace .card-idea .idea-text").element_handles()
    }
    send(console, type="create_cluster", name="People and pay", idea_id=ids[IDEAS[4]])
    send(console, type="create_cluster", name="Practice", idea_id=ids[IDEAS[3]])
    expect(console.locator(".theme-column")).to_have_count(2)
    themes = {
        console.locator(f"#{c} h3").inner_text().rsplit(" ", 1)[0]: int(c.split("-")[1])
        for c in console.eval_on_selector_all(".theme-column", "(els) => els.map((e) => e.id)")
    }
    send(console, type="set_phase", phase="vote")

    # The phone in the vote phase: the question folded, the first thing to vote on and the
    # dots left on the first screen.
    phone = phones[0]
    expect(phone.locator("#question")).not_to_have_attribute("open", "")
    expect(phone.locator(".vote-box").first).to_be_visible()
    assert in_view(phone, ".vote-box [data-command=vote] button"), "first vote below the fold"
    assert in_view(phone, "#dots-left")
    expect(console.locator(".turnout")).to_have_text("0 of 3 phones have voted")

    # Every dot spent: each "+" is disabled before a tap, not refused after (defect 6).
    pay, practice = themes["People and pay"], themes["Practice"]
    for target in (pay, pay, pay, practice, practice):
        send(phone, type="vote", target="cluster", target_id=target)
    expect(phone.locator("#dots-left")).to_have_text("0")
    for button in phone.locator("[data-command=vote] button").all():
        expect(button).to_be_disabled()
    phone.reload()
    phone.wait_for_selector("#conn[data-state=online]")
    expect(phone.locator("#dots-left")).to_have_text("0")
    expect(phone.locator("[data-command=vote] button").first).to_be_disabled()
    # The dots left stay in view however far the list scrolls.
    phone.mouse.wheel(0, 3000)
    phone.wait_for_timeout(200)
    assert in_view(phone, "#dots-left")
    shot(phone, "results-phone-voting")
    assert axe_problems(phone) == []

    send(phones[1], type="vote", target="cluster", target_id=practice)
    expect(console.locator(".turnout")).to_have_text("2 of 3 phones have voted")
    ranked = console.locator("#results .ranked")
    expect(ranked).to_have_count(2 + 3)  # two themes, three ideas in no theme
    # Three dots each: a tie for first, shown as one; the ideas with none share third.
    expect(ranked.nth(0).locator(".rank")).to_have_text(re.compile(r"^1\s+tie$"))
    expect(ranked.nth(1).locator(".rank")).to_have_text(re.compile(r"^1\s+tie$"))
    expect(ranked.nth(0).locator(".ranked-dots")).to_have_text("3 dots")
    expect(ranked.nth(2).locator(".rank")).to_have_text(re.compile(r"^3\s+tie$"))
    console.set_viewport_size(LAPTOP["viewport"])
    console.locator("#results").scroll_into_view_if_needed()
    shot(console, "results-console")
    assert axe_problems(console) == []

    # Phones see the ranking once the tallies are revealed; so does the projector.
    expect(phones[2].locator("#results .ranked")).to_have_count(0)
    send(console, type="reveal", what="votes", shown="1")
    expect(phones[2].locator("#results .ranked")).to_have_count(5)
    send(phones[2], type="vote", target="cluster", target_id=pay)
    expect(phones[2].locator("#results .ranked").first).to_contain_text("People and pay")
    expect(phones[2].locator("#results .ranked").first.locator(".rank")).to_have_text("1")
    expect(console.locator(".turnout")).to_have_text("3 of 3 phones have voted")
    screen = watch.page(browser.new_context(**PROJECTOR))
    screen.context.add_cookies(console.context.cookies())
    screen.goto(made["console"] + "/projector")
    screen.wait_for_selector("#conn[data-state=online]")
    expect(screen.locator("#results .ranked")).to_have_count(5)
    expect(screen.locator("#results .ranked").first).to_contain_text("4 dots")
    assert screen.evaluate("() => document.documentElement.scrollHeight") <= 1080
    shot(screen, "results-projector")
    assert axe_problems(screen) == []


def test_a_phone_banner_is_pinned_and_can_be_dismissed(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = fresh_group(office, base)
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(made["join"])
    phone.wait_for_selector("#conn[data-state=online]")
    for n in range(8):
        phone.fill("#idea-text", f"A long enough idea number {n} to fill the phone's screen")
        phone.click("#compose button[type=submit]")
    office.goto(made["console"])
    office.wait_for_selector("#conn[data-state=online]")
    expect(office.locator("#workspace .card-idea")).to_have_count(8)
    send(office, type="set_phase", phase="vote")
    office.goto(made["workshop"] + "/control")
    office.fill("#b-announce", "Back in the main hall at 15:30")
    office.click("button[value=announce]")
    confirm(office)
    banner = phone.locator(".banner")
    expect(banner).to_contain_text("Back in the main hall at 15:30")
    phone.mouse.wheel(0, 3000)
    phone.wait_for_timeout(200)
    assert in_view(phone, ".banner"), "the banner scrolled away"
    assert in_view(phone, "#dots-left"), "the dots left scrolled away"
    shot(phone, "results-phone-banner")
    phone.get_by_role("button", name="Dismiss the banner").click()
    expect(banner).to_be_hidden()
    phone.reload()
    phone.wait_for_selector("#conn[data-state=online]")
    expect(phone.locator(".banner")).to_be_hidden()
    # A new banner is shown again.
    office.fill("#b-announce", "Two minutes left")
    office.click("button[value=announce]")
    confirm(office)
    expect(phone.locator(".banner")).to_be_visible()
    expect(phone.locator(".banner")).to_contain_text("Two minutes left")


def test_mission_control_gives_one_idea_count_and_says_what_it_counts(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = fresh_group(office, base)
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(made["join"])
    phone.wait_for_selector("#conn[data-state=online]")
    for text in IDEAS:
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")
    office.goto(made["console"])
    office.wait_for_selector("#conn[data-state=online]")
    expect(office.locator("#workspace .card-idea")).to_have_count(len(IDEAS))
    cards = office.eval_on_selector_all(
        ".card-idea[data-id]", "(els) => els.map((e) => e.dataset.id)"
    )
    send(office, type="hide", idea_id=int(cards[0]), reason="Off topic")
    send(office, type="merge", idea_id=int(cards[1]), into=int(cards[2]))
    on_console = str(len(IDEAS) - 2)
    expect(office.locator("#idea-count dd").first).to_have_text(on_console)
    office.goto(made["workshop"] + "/control")
    row = office.locator(".mission-table tbody tr").first
    assert row.locator("td").nth(3).inner_text() == on_console  # Ideas, after select/phase/phones
    participation = office.locator("section[aria-labelledby=participation-heading] tbody tr").first
    cells = participation.locator("td")
    assert cells.nth(3).inner_text() == on_console  # the same figure, the same word
    assert cells.nth(4).inner_text() == str(len(IDEAS))  # written: hidden and merged too
    expect(office.locator("#ideas-defined")).to_contain_text("hidden, merged")
    assert axe_problems(office) == []


def test_the_workshop_projector_shows_twelve_groups_and_pages_through_more(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    office = organiser(browser, demo, watch)
    office.goto(demo["base_url"] + "/organiser")
    office.fill("#title", "Fourteen rooms")
    office.fill(
        "#groups", "\n".join(f"Room {n} | What would you change first?" for n in range(1, 15))
    )
    office.get_by_role("button", name="Create workshop").click()
    office.wait_for_url(re.compile(r"/organiser/workshops/\d+$"))
    screen = watch.page(browser.new_context(**PROJECTOR))
    screen.context.add_cookies(office.context.cookies())
    screen.goto(office.url + "/projector")
    groups = screen.locator(".projector-groups > li")
    expect(groups).to_have_count(14)
    expect(screen.locator(".projector-groups > li:visible")).to_have_count(12)
    expect(screen.locator(".page-note")).to_have_text(re.compile(r"Page 1 of 2"))
    assert screen.evaluate("() => document.documentElement.scrollHeight") <= 1080
    # The QR code stands beside the groups, not above them.
    qr = screen.locator(".projector-join img").bounding_box()
    first = groups.first.bounding_box()
    assert qr is not None and first is not None and first["y"] < qr["y"] + qr["height"]
    shot(screen, "results-workshop-projector")
    assert axe_problems(screen) == []
    expect(screen.locator(".projector-groups > li:visible")).to_have_count(2, timeout=20_000)
    expect(screen.locator(".page-note")).to_have_text(re.compile(r"Page 2 of 2"))
    expect(screen.locator(".projector-groups > li:visible").first).to_contain_text("Room 13")


def test_a_phone_joining_during_the_vote_counts_at_once_everywhere(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    """It was counted in "N of M phones have voted" only after the next dot."""
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = fresh_group(office, base)
    phones = []
    for text in IDEAS[:2]:
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(made["join"])
        phone.wait_for_selector("#conn[data-state=online]")
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")
        phones.append(phone)
    console = watch.page(browser.new_context(**LAPTOP))
    console.context.add_cookies(office.context.cookies())
    console.goto(made["console"])
    console.wait_for_selector("#conn[data-state=online]")
    expect(console.locator("#workspace .card-idea")).to_have_count(2)
    send(console, type="set_phase", phase="vote")
    first = console.locator("#workspace .card-idea").first.get_attribute("data-id")
    send(phones[0], type="vote", target="idea", target_id=int(str(first)))
    expect(console.locator(".turnout")).to_have_text("1 of 2 phones has voted")
    screen = watch.page(browser.new_context(**PROJECTOR))
    screen.context.add_cookies(office.context.cookies())
    screen.goto(made["console"] + "/projector")
    screen.wait_for_selector("#conn[data-state=online]")
    office.set_viewport_size(LAPTOP["viewport"])
    office.goto(made["workshop"] + "/control")
    mission = office.locator(".mission-table .turnout")
    expect(mission).to_have_text("1 of 2 phones has voted")

    late = watch.page(browser.new_context(**PHONE))  # 390×844
    late.goto(made["join"])
    late.wait_for_selector("#conn[data-state=online]")
    # Counted at once, with no dot placed: live on every screen, and on the phone itself.
    for page in (console, screen, phones[1], late):
        expect(page.locator(".turnout")).to_have_text("1 of 3 phones has voted")
    expect(mission).to_have_text("1 of 3 phones has voted")  # its table refreshes itself
    shot(late, "results-phone-joined-voting-390")
    console.locator("#results").scroll_into_view_if_needed()
    shot(console, "results-console-joined-1366")
    # The participation chart: a labelled y axis, and words for a screen reader.
    chart = office.locator(".chart svg")
    title, desc = (chart.get_attribute("aria-labelledby") or "").split()
    assert office.locator(f"#{title}").text_content() == "Ideas submitted per 5 minutes"
    assert "2 ideas from" in str(office.locator(f"#{desc}").text_content())
    assert "Ideas" in chart.locator("text").all_text_contents()
    chart.scroll_into_view_if_needed()
    shot(office, "mission-control-chart-1366")
    assert axe_problems(office) == []
    # A reload says the same.
    for page in (console, late, office):
        page.reload()
    for page in (console, late):
        expect(page.locator(".turnout")).to_have_text("1 of 3 phones has voted")
    expect(mission).to_have_text("1 of 3 phones has voted")
