"""The plenary in Chromium (issue #23): two rounds of three groups, phones moving between
them; recommendations from the first round's groups; the report-back gallery with +1s;
synthesis into final ones; a plenary vote by ten phones (one changes its ballot, one votes
offline), live on the workshop projector; the Word report checked down to the plenary
results."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import docx
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PHONE,
    Watch,
    axe_problems,
    confirm,
    organiser,
    shot,
    tab_to,
    upload_setup,
)
from tests.e2e.test_rounds import join_links

ROUNDS_FILE = """\
title: Capacity-building plenary
rounds:
  - name: Morning round
  - name: Afternoon round
    assignment: stay
groups:
  - {name: Funding, question: What should we fund first?}
  - {name: Skills, question: Which skills do we lack?}
  - {name: Policy, question: Which policy would help most?}
  - {name: Funding 2, question: Which funding comes first?, round: 2}
  - {name: Skills 2, question: Who trains whom?, round: 2}
  - {name: Policy 2, question: Which rule changes first?, round: 2}
"""
FIRST = ("Funding", "Skills", "Policy")
SECOND = ("Funding 2", "Skills 2", "Policy 2")
IDEAS = {
    "Funding": "A regional fund for incident response",
    "Skills": "Exchange programmes between national CERTs",
    "Policy": "One reporting law for every sector",
}
PHONES = 10
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
DOCS = Path(__file__).parents[2] / "docs" / "images"


def bars(page: Any) -> list[str]:
    """The projector's results, place and title, as the room reads them."""
    rows = page.locator("#plenary-results .plenary-bar")
    return [" ".join(rows.nth(n).inner_text().split()) for n in range(rows.count())]


def recommend_each_first_group(office: Any, base: str, links: dict[str, str]) -> None:
    """In each morning group's console, the organiser promotes its idea and agrees it."""
    for name in FIRST:
        office.goto(f"{base}/facilitator/groups/{links[name]}")
        office.wait_for_selector("#conn[data-state=online]")
        card = office.locator("#workspace .card-idea", has_text=IDEAS[name])
        card.locator(".card-actions").click()
        dialog = office.locator("#idea-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Promote to recommendation").click()
        rec = office.locator("#recommendations .rec", has_text=IDEAS[name])
        expect(rec).to_have_count(1)
        rec.get_by_role("button", name="Mark agreed").click()
        expect(office.locator("#recommendations .rec.agreed")).to_have_count(1)


def import_file(office: Any, base: str, tmp_path: Path, text: str) -> str:
    """Upload a set-up file from the organiser's page; the new workshop's mission control."""
    upload_setup(office, tmp_path, text)
    return f"{base}{office.get_by_role('link', name='Mission control').get_attribute('href')}"


def group_ids(office: Any, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        card = office.locator(".group-card", has=office.locator(f"text='{name}'"))
        href = str(card.get_by_role("link", name="Facilitator view").get_attribute("href"))
        out[name] = href.rsplit("/", 1)[1]
    return out


def test_a_plenary_vote_after_two_rounds(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    control = import_file(office, base, tmp_path, ROUNDS_FILE)
    workshop_url = control.removesuffix("/control")
    first, second = join_links(office, FIRST), join_links(office, SECOND)
    consoles = group_ids(office, FIRST)

    # Round 1: ten phones in three groups; one idea in each group.
    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(PHONES)]
    for n, phone in enumerate(phones):
        phone.goto(first[FIRST[n % 3]])
        phone.wait_for_selector("#conn[data-state=online]")
    for n, name in enumerate(FIRST):
        phones[n].fill("#idea-text", IDEAS[name])
        phones[n].click("#compose button[type=submit]")
        expect(phones[n].locator("#ideas .idea-text", has_text=IDEAS[name])).to_have_count(1)
    recommend_each_first_group(office, base, consoles)

    # Round 2: every phone moves to the group at its table's place, live.
    office.goto(control)
    office.locator("#rounds").get_by_role("button", name="Start Afternoon round").click()
    expect(office.locator(".notice")).to_contain_text("Afternoon round has started")
    for n, phone in enumerate(phones):
        phone.wait_for_url(f"**{second[SECOND[n % 3]].removeprefix(base)}")
        phone.wait_for_selector("#conn[data-state=online]")

    # Synthesis: each morning group's recommendation becomes a final one.
    office.goto(f"{workshop_url}/synthesis")
    for name in FIRST:
        office.locator(".group-recs li", has_text=IDEAS[name]).get_by_role("checkbox").check()
        office.get_by_role("button", name="Create final recommendation").click()
        final = office.locator(".finals > li", has_text=IDEAS[name])
        final.get_by_role("button", name="Mark final").click()
        expect(final.locator(".badge")).to_have_text("Final")

    # The report-back gallery: phones now in the afternoon's groups read every morning
    # group's agreed recommendation and give +1s, seen live on another phone.
    office.goto(control)
    office.locator("#gallery").get_by_role("button", name="Open the gallery").click()
    expect(office.locator(".notice")).to_contain_text("The gallery is open on every phone.")
    liked = IDEAS["Skills"]
    for phone in phones[:2]:
        phone.get_by_role(
            "link", name="The gallery is open: see every group's recommendations"
        ).click()
        phone.wait_for_url("**/gallery")
        phone.wait_for_selector("#conn[data-state=online]")
        assert sorted(phone.locator(".gallery-item h3").all_inner_texts()) == sorted(IDEAS.values())
        button = phone.locator(".gallery-item", has=phone.locator("h3", has_text=liked)).locator(
            "button"
        )
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    plus = phones[0].locator(".gallery-item", has=phones[0].locator("h3", has_text=liked))
    expect(plus.locator(".plus-count")).to_have_text("2 +1s from the room")
    office.locator("#gallery").get_by_role("button", name="Close the gallery").click()
    expect(office.locator(".notice")).to_contain_text("The gallery is closed.")
    for phone in phones[:2]:  # back to the afternoon group, where the ballot will come
        phone.go_back()
        phone.wait_for_selector("#conn[data-state=online]")

    # The plenary: dots, 3 a phone, at most 2 on one; all three finals; opened.
    office.goto(control)
    plenary = office.locator("#plenary")
    plenary.get_by_label("Dots per phone").fill("3")
    plenary.get_by_label("At most on one").fill("2")
    plenary.get_by_role("button", name="Save the vote").click()
    expect(office.locator(".notice")).to_contain_text("The plenary vote is set up")
    office.locator("#plenary").get_by_role("button", name="Open the vote").click()
    confirm(office)
    expect(office.locator(".notice")).to_contain_text("The plenary vote is open")

    # The workshop projector: a screen the organiser logged in on, at 1920 by 1080.
    screen = organiser(browser, demo, watch, **PROJECTOR)
    screen.goto(f"{workshop_url}/projector")
    expect(screen.locator("#plenary-results")).to_contain_text("0 of 10 phones have voted")

    titles = [IDEAS[name] for name in FIRST]
    for n, phone in enumerate(phones):
        card = phone.locator("#plenary-card")
        expect(card.locator("form[data-ballot]")).to_be_visible()  # live, on every phone
        if n == 8:
            phone.context.set_offline(True)  # this one votes with the Wi-Fi down
        items = card.locator(".ballot-item")
        if n == 1:  # typed past the budget: refused with the server's reason, none counted
            for title in titles[:2]:
                items.filter(has_text=title).get_by_role("spinbutton").fill("2")
            card.get_by_role("button", name="Send my ballot").click()
            expect(card.locator("[role=alert]")).to_have_text(
                "You have 3 dots; this ballot places 4."
            )
            for title in titles[:2]:
                items.filter(has_text=title).get_by_role("spinbutton").fill("0")
        add = items.filter(has_text=titles[n % 3]).get_by_role("button", name=re.compile("more"))
        add.click()
        add.click()
        items.filter(has_text=titles[(n + 1) % 3]).get_by_role(
            "button", name=re.compile("more")
        ).click()
        expect(card.locator("#ballot-left")).to_have_text("0")
        card.get_by_role("button", name="Send my ballot").click()
        if n == 8:
            expect(phone.locator("#outbox")).to_contain_text("Sending your ballot")
            phone.context.set_offline(False)
        expect(card.get_by_text("Your ballot is counted")).to_be_visible()
    phones[0].locator("#plenary-card").scroll_into_view_if_needed()
    shot(phones[0], "plenary-phone")
    phones[0].screenshot(path=str(DOCS / "plenary-phone.png"))
    assert axe_problems(phones[0]) == []
    expect(screen.locator("#plenary-results")).to_contain_text("10 of 10 phones have voted")
    # 11, 10, 9: no tie yet.
    assert [b.split(" ", 1)[0] for b in bars(screen)] == ["1", "2", "3"]

    # The last phone changes its ballot (it replaces, never adds): 1 on the first, 1 on the
    # third. The first and the third now tie at 10 dots, and the projector says so.
    last = phones[9].locator("#plenary-card")
    items = last.locator(".ballot-item")
    items.filter(has_text=titles[0]).get_by_role("button", name=re.compile("less")).click()
    items.filter(has_text=titles[1]).get_by_role("button", name=re.compile("less")).click()
    items.filter(has_text=titles[2]).get_by_role("button", name=re.compile("more")).click()
    last.get_by_role("button", name="Change my ballot").click()
    expect(screen.locator("#plenary-results .plenary-bar.tied")).to_have_count(2)
    expect(screen.locator("#plenary-results")).to_contain_text("10 of 10 phones have voted")
    live = bars(screen)
    assert live[0].startswith("=1") and live[1].startswith("=1") and live[2].startswith("3")
    shot(screen, "plenary-projector")
    if os.environ.get("FACILITATOR_DOC_IMAGES"):  # a plain test run leaves the tree alone
        screen.screenshot(path=str(DOCS / "plenary-projector.png"))
    screen.reload()
    assert bars(screen) == live  # live and reloaded agree

    # Mission control shows the same; the organiser closes the vote.
    office.goto(control)
    expect(office.locator("#plenary-results")).to_contain_text("10 of 10 phones have voted")
    assert axe_problems(office) == []
    office.locator("#plenary").scroll_into_view_if_needed()
    shot(office, "plenary-mission-control")
    office.locator("#plenary").get_by_role("button", name="Close the vote").click()
    confirm(office)
    expect(office.locator(".notice")).to_contain_text("The plenary vote is closed")
    for phone in phones[:3]:
        expect(phone.locator("#plenary-card")).to_contain_text("The plenary vote has closed")

    # The report, down to the plenary results.
    office.goto(workshop_url)
    with office.expect_download() as download:
        office.get_by_role("button", name="Event report (Word)").click()
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    report = docx.Document(str(path))
    lines = [p.text for p in report.paragraphs]
    assert "+1s from the room: 2" in lines  # the gallery's +1s, under their recommendation
    at = lines.index("Plenary vote")
    assert "10 of 10 phones voted." in lines[at:]
    cells = [[c.text for c in row.cells] for t in report.tables for row in t.rows]
    assert ["=1", titles[0], "10"] in cells and ["=1", titles[2], "10"] in cells
    assert ["3", titles[1], "9"] in cells
    assert ["Afternoon round", "10", "10"] in cells


ONE_GROUP = """\
title: Ranking plenary
groups:
  - {name: Everyone, question: What matters most?}
"""
RANKED = ("Fund the hubs", "Train the trainers", "Write the law")


def test_a_ranking_ballot_by_keyboard_alone(
    browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path
) -> None:
    """Ranking (Borda): the phone orders the recommendations with Up and Down, by keyboard."""
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    control = import_file(office, base, tmp_path, ONE_GROUP)
    workshop_url = control.removesuffix("/control")
    link = join_links(office, ("Everyone",))["Everyone"]
    console = group_ids(office, ("Everyone",))["Everyone"]
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(link)
    phone.wait_for_selector("#conn[data-state=online]")
    for text in RANKED:
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")
        expect(phone.locator("#ideas .idea-text", has_text=text)).to_have_count(1)
    office.goto(f"{base}/facilitator/groups/{console}")
    office.wait_for_selector("#conn[data-state=online]")
    for text in RANKED:
        office.locator("#workspace .card-idea", has_text=text).locator(".card-actions").click()
        office.locator("#idea-dialog").get_by_role(
            "button", name="Promote to recommendation"
        ).click()
        expect(office.locator("#recommendations .rec", has_text=text)).to_have_count(1)
    office.goto(f"{workshop_url}/synthesis")
    for text in RANKED:
        office.locator(".group-recs li", has_text=text).get_by_role("checkbox").check()
        office.get_by_role("button", name="Create final recommendation").click()
        office.locator(".finals > li", has_text=text).get_by_role(
            "button", name="Mark final"
        ).click()
    office.goto(control)
    office.locator("#plenary").get_by_label("Ranking (Borda count)").check()
    office.locator("#plenary").get_by_role("button", name="Save the vote").click()
    office.locator("#plenary").get_by_role("button", name="Open the vote").click()
    confirm(office)

    # By keyboard alone: Tab to the first recommendation's Down, Enter twice (the focus
    # stays on it as it moves), then Tab on to the send button and Enter.
    card = phone.locator("#plenary-card")
    expect(card.locator("#ranking .ballot-item")).to_have_count(3)
    down = card.locator(".ballot-item", has_text=RANKED[0]).get_by_role("button", name="Down")
    tab_to(phone, down)
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")
    expect(down).to_be_focused()
    order = [t.strip() for t in card.locator("#ranking .ballot-title").all_inner_texts()]
    assert order == [RANKED[1], RANKED[2], RANKED[0]]
    assert axe_problems(phone) == []
    shot(phone, "plenary-phone-ranking")
    phone.screenshot(path=str(DOCS / "plenary-phone-ranking.png"))
    tab_to(phone, card.get_by_role("button", name="Send my ballot"))
    phone.keyboard.press("Enter")
    expect(card.get_by_text("Your ballot is counted")).to_be_visible()
    # Counted by Borda: 2 points for first place, 1 for second, none for last.
    office.reload()
    results = office.locator("#plenary-results")
    expect(results).to_contain_text("1 of 1 phone has voted")
    expect(results.locator(".plenary-bar").nth(0)).to_contain_text(f"{RANKED[1]} 2 points")
    expect(results.locator(".plenary-bar").nth(2)).to_contain_text(f"{RANKED[0]} 0 points")
    # The phone's page, reloaded, keeps its order.
    phone.reload()
    again = [t.strip() for t in card.locator("#ranking .ballot-title").all_inner_texts()]
    assert again == order
