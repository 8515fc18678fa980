"""The whole story in Chromium: an organiser imports a workshop, three phones join by their
QR codes, a facilitator clusters (by dragging and by keyboard alone), the phones vote, the
facilitator promotes and agrees, the organiser synthesises and downloads the report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
from playwright.sync_api import expect

from tests.e2e.conftest import (
    LAPTOP,
    PHONE,
    Watch,
    axe_problems,
    confirm,
    organiser,
    read_qr,
    shot,
    tab_to,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "workshop.yaml"
GROUP = "Phishing and social engineering"
IDEAS = [  # (phone, text)
    (0, "Make the report button one tap in every mail app"),
    (1, "Thank people who report, even for false alarms"),
    (2, "Run a monthly phishing drill with friendly feedback"),
    (0, "Share real phishing examples from our own inbox"),
]
THEMES = ["Easy reporting", "Practice and feedback"]
FINAL = "Make reporting a suspicious message easy, and thank every report"


def phase_step(page: Any, name: str) -> Any:
    return page.locator("button.phase-step", has_text=name)


def card(page: Any, text: str) -> Any:
    return page.locator("#workspace .card-idea", has_text=text)


def import_workshop(page: Any) -> tuple[str, str]:
    """Upload the example set-up file; the group's QR text and its facilitator's invitation."""
    page.set_input_files("#setup-file", str(EXAMPLE))
    page.click("form[action^='/organiser/workshops/upload'] button[type=submit]")
    notice = page.locator(".notice", has_text="Imported")
    expect(notice).to_be_visible()
    invitation = re.search(r"amira@example\.org: (\S+?/invite/[\w-]+)", notice.inner_text())
    assert invitation, notice.inner_text()
    expect(page.locator("h1")).to_have_text("Cyber Resilience Conference 2026")
    group = page.locator(".group-card", has_text=GROUP)
    qr_text = read_qr(group.locator("img.qr"))
    assert qr_text == group.get_by_role("link", name="Join link").get_attribute("href")
    shot(page, "organiser-imported")
    return qr_text, invitation.group(1)


def workshop_address(page: Any) -> str:
    synthesis = page.get_by_role("link", name="Synthesis").get_attribute("href")
    return str(synthesis).removesuffix("/synthesis")


def test_the_whole_story(browser: Any, demo: dict[str, Any], watch: Watch, tmp_path: Path) -> None:
    office = organiser(browser, demo, watch)
    join_url, invitation = import_workshop(office)
    workshop_url = demo["base_url"] + workshop_address(office)

    # The facilitator accepts the invitation the import made, and opens the group.
    console = watch.page(browser.new_context(**LAPTOP))
    console.goto(invitation)
    console.fill("#name", "Amira")
    console.fill("#password", "phish-free-2026")
    console.click("form button[type=submit]")
    console.get_by_role("link", name=GROUP).click()
    console.wait_for_selector("#conn[data-state=online]")

    # Three phones join by the link in the QR code, and each sees the others' ideas live.
    phones = [watch.page(browser.new_context(**PHONE)) for _ in range(3)]
    # The example asks baseline questions on joining: two phones answer, one skips.
    for n, phone in enumerate(phones):
        phone.goto(join_url)
        expect(phone.locator("h1")).to_have_text("A few questions")
        if n < 2:
            phone.locator(".scale-step").nth(2 + n).click()  # 3 and 4 of 5: one tap each
            phone.get_by_role("button", name="Send answers").click()
            expect(phone.get_by_text("You answered the questions")).to_be_visible()
        else:
            shot(phone, "story-phone-baseline")
            assert axe_problems(phone) == []
            phone.get_by_role("link", name="Skip for now").click()
            expect(phone.get_by_role("link", name="Answer", exact=True)).to_be_visible()
        phone.wait_for_selector("#conn[data-state=online]")
    expect(console.locator("#presence .stat strong")).to_have_text("3")
    for n, text in IDEAS:
        phones[n].fill("#idea-text", text)
        phones[n].click("#compose button[type=submit]")
    for _, text in IDEAS:
        expect(card(console, text)).to_have_count(1)
        for phone in phones:
            expect(phone.locator("#ideas .idea-text", has_text=text)).to_have_count(1)
    expect(phones[0].locator("#ideas .idea.mine")).to_have_count(2)
    shot(phones[1], "story-phone-collect")

    phase_step(console, "Find themes").click()
    confirm(console)
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=cluster]")
    for name in THEMES:
        console.fill("#new-theme", name)
        console.press("#new-theme", "Enter")
        expect(console.locator(".theme-column h3", has_text=name)).to_have_count(1)
    columns = console.locator(".theme-column")

    # By dragging (SortableJS): a card from "Not in a theme" into the second theme.
    card(console, IDEAS[2][1]).drag_to(columns.nth(1).locator("ul.cards"))
    expect(columns.nth(1).locator(".card-idea", has_text=IDEAS[2][1])).to_have_count(1)

    # By keyboard alone: Tab to the card's Actions, Enter, arrow to a theme, Tab, Enter.
    for text, theme in ((IDEAS[0][1], 1), (IDEAS[1][1], 1), (IDEAS[3][1], 2)):
        tab_to(console, card(console, text).locator(".card-actions"))
        console.keyboard.press("Enter")
        expect(console.locator("#idea-dialog")).to_be_visible()
        expect(console.locator("#dialog-move")).to_be_focused()
        for _ in range(theme):
            console.keyboard.press("ArrowDown")
        console.keyboard.press("Tab")
        console.keyboard.press("Enter")
        expect(console.locator("#idea-dialog")).to_be_hidden()
        expect(columns.nth(theme - 1).locator(".card-idea", has_text=text)).to_have_count(1)
        # The focus comes back to the moved card, so the keyboard user keeps their place.
        expect(card(console, text).locator(".card-actions")).to_be_focused()
    expect(console.locator("#unclustered .card-idea")).to_have_count(0)
    shot(console, "story-console-clustered")
    for phone in phones:
        expect(phone.locator(".theme h3", has_text=THEMES[0])).to_have_count(1)

    phase_step(console, "Vote").click()
    confirm(console)
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=vote]")
        first, second = (phone.locator(".theme", has_text=name) for name in THEMES)
        add = first.get_by_role("button", name=re.compile("Add a dot"))
        add.click()
        add.click()
        second.get_by_role("button", name=re.compile("Add a dot")).click()
        expect(first.locator(".my-dots")).to_have_text("2")
        expect(phone.locator("#dots-left")).to_have_text("2")  # 5 dots, 3 placed
        expect(phone.locator(".tally")).to_have_count(0)  # hidden until revealed
    shot(phones[2], "story-phone-vote")
    console.get_by_role("button", name="Reveal tallies to phones").click()
    expect(phones[0].locator(".theme", has_text=THEMES[0]).locator(".tally")).to_have_text("6 dots")

    phase_step(console, "Recommend").click()
    confirm(console)
    expect(phase_step(console, "Recommend")).to_have_attribute("aria-current", "step")
    columns.nth(0).locator(".menu > summary").click()
    columns.nth(0).get_by_role("button", name="Write a recommendation").click()
    # The editor opens seeded with the theme's name; saving makes the recommendation.
    expect(console.locator("#rec-editor").get_by_label("Title")).to_have_value(THEMES[0])
    console.locator("#rec-editor").get_by_role("button", name="Save").click()
    recommendation = console.locator("#recommendations .rec")
    expect(recommendation).to_contain_text("6 dots")
    recommendation.get_by_role("button", name="Mark agreed").click()
    expect(console.locator("#recommendations .rec.agreed")).to_have_count(1)
    phase_step(console, "Closed").click()
    confirm(console)
    for phone in phones:
        phone.wait_for_selector("#board-body[data-phase=closed]")
        expect(phone.locator(".rec-list")).to_contain_text(THEMES[0])
    shot(phones[0], "story-phone-closed")

    # The organiser synthesises the group's recommendation into a final one, and marks it.
    office.goto(f"{workshop_url}/synthesis")
    office.locator(".group-recs li", has_text=GROUP).get_by_role("checkbox").check()
    office.fill("#new-title", FINAL)
    office.get_by_role("button", name="Create final recommendation").click()
    final = office.locator(".finals > li", has_text=FINAL)
    final.get_by_role("button", name="Mark final").click()
    expect(final.locator(".badge")).to_have_text("Final")
    shot(office, "story-synthesis")

    # The report: the workshop's title, the final recommendation, and where it came from.
    office.goto(workshop_url)
    with office.expect_download() as download:
        office.get_by_role("button", name="Event report (Word)").click()
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    lines = [p.text for p in docx.Document(str(path)).paragraphs]
    assert lines[0] == "Cyber Resilience Conference 2026"
    finals = lines[lines.index("Final recommendations") :]
    assert finals[1] == f"1.\t{FINAL}"
    assert f"From {GROUP}: “{THEMES[0]}”" in finals
    # The dots went on the theme, and the report says so; its ideas claim no "0 votes".
    assert f"From {GROUP}, theme “{THEMES[0]}”: 6 votes on the theme, 2 ideas" in finals
    assert f"“{IDEAS[0][1]}”" in finals

    impact_story(browser, office, phones, workshop_url, watch)


def impact_story(
    browser: Any, office: Any, phones: list[Any], workshop_url: str, watch: Watch
) -> None:
    """The end-of-event poll, the change from the baseline, what happened next on a public
    status page, and a follow-up answer weeks later (issue #24)."""
    office.goto(f"{workshop_url}/questions")
    office.locator("#moment-event").get_by_role("button", name="Open").click()
    for phone in phones[:2]:
        phone.reload()
        phone.get_by_role("link", name="Answer", exact=True).click()
        phone.locator(".question").nth(0).locator(".scale-step").nth(4).click()  # 5 of 5
        phone.get_by_role("button", name="Send answers").click()
        expect(phone.get_by_text("your answers are saved")).to_be_visible()
    office.goto(f"{workshop_url}/control")
    change = office.locator("#impact-results .impact-change").first
    expect(change.locator(".total-row").first).to_contain_text("+1.50")  # 3→5, 4→5: paired
    shot(office, "story-impact-results")

    # What happened next: an owner and a status, each change kept; a public status page.
    office.goto(f"{workshop_url}/follow-up")
    item = office.locator(".follow-up", has_text=FINAL)
    item.get_by_label("Owner").fill("Ana Ruiz")
    item.get_by_label("Organisation").fill("National CERT")
    item.get_by_label("Status").select_option("accepted")
    item.get_by_role("button", name="Save").click()
    item = office.locator(".follow-up", has_text=FINAL)
    item.get_by_label("Status").select_option("in_progress")
    item.get_by_role("button", name="Save").click()
    expect(office.locator(".follow-up .history summary")).to_have_text("2 changes")
    office.get_by_role("button", name="Make a link").click()
    public_url = office.locator("#status-link").input_value()
    shot(office, "story-follow-up")
    public = watch.page(browser.new_context(**PHONE))
    public.goto(public_url)
    expect(public.locator(".status-list")).to_contain_text("Ana Ruiz, National CERT")
    expect(public.locator(".status-badge")).to_have_text("In progress")
    assert axe_problems(public) == []
    shot(public, "story-status-page")
    office.get_by_role("button", name="Turn the link off").click()
    public.reload()
    expect(public.get_by_text("This status page is not available")).to_be_visible()

    # Weeks later: a personal follow-up link, opened on the phone used at the event.
    office.goto(f"{workshop_url}/questions")
    office.locator("#moment-followup").get_by_role("button", name="Open").click()
    office.get_by_label("How many").fill("2")
    office.get_by_role("button", name="Make links").click()
    link = office.locator("#follow-up-links").input_value().splitlines()[0]
    phones[0].goto(link)
    phones[0].locator(".question").nth(0).locator(".scale-step").nth(3).click()  # 4 of 5
    phones[0].get_by_role("button", name="Send answers").click()
    expect(phones[0].get_by_text("your answers are saved")).to_be_visible()
    assert axe_problems(phones[0]) == []
    office.goto(f"{workshop_url}/control")
    expect(office.locator("#impact-results .impact-change").first).to_contain_text("at a follow-up")
