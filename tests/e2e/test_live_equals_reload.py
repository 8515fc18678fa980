"""Live equals reload: after each of many kinds of events, every live page (the console, a
phone, the group's projector, the workshop's projector, mission control) shows the same text
as the same page opened afresh. One generic check, not one test per count."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, confirm, organiser

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

# What legitimately differs between a page open for a while and a fresh one: the socket's
# state, running clocks, messages about one's own last action, polite announcements.
MOVING = "#conn, .clock, #flash, #announcer, #outbox, .notice, .undo-bar"

VISIBLE_TEXT = """([root, moving]) => {
  const el = document.querySelector(root);
  if (!el) return "";
  let text = el.innerText;
  for (const part of el.querySelectorAll(moving)) {
    const bit = part.innerText;
    if (bit) text = text.replace(bit, "");
  }
  return text.replace(/[ \\t]+/g, " ").replace(/\\s*\\n\\s*/g, "\\n").trim();
}"""


class LivePage:
    """A page left open as events happen, and how to read it afresh for comparison."""

    def __init__(self, name: str, page: Any, root: str, socket: bool = True) -> None:
        self.name, self.page, self.root, self.socket = name, page, root, socket

    def text(self, page: Any | None = None) -> str:
        return str((page or self.page).evaluate(VISIBLE_TEXT, [self.root, MOVING]))

    def reloaded(self) -> str:
        (text,) = reload_all([self])
        return text


def reload_all(pages: list[LivePage]) -> list[str]:
    """Each page's text opened afresh: all opened at once, so that they load side by side."""
    fresh = [p.page.context.new_page() for p in pages]
    try:
        for p, page in zip(pages, fresh, strict=True):
            page.goto(p.page.url, wait_until="commit")
        for p, page in zip(pages, fresh, strict=True):
            page.wait_for_load_state()
            if p.socket:
                page.wait_for_selector("#conn[data-state=online]")
        fresh[0].wait_for_timeout(300)  # a phone's own dots arrive just after its board
        return [p.text(page) for p, page in zip(pages, fresh, strict=True)]
    finally:
        for page in fresh:
            page.close()


def first_difference(live: str, fresh: str) -> str:
    a, b = live.splitlines(), fresh.splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"line {i}: live {x!r} but reloaded {y!r}"
    return f"live has {len(a)} lines, reloaded {len(b)}"


def agree(pages: list[LivePage], step: str, problems: list[str], wait: float = 12.0) -> None:
    """Every page's live text equals its reloaded text (live pages get a moment to follow)."""
    for p, fresh in zip(pages, reload_all(pages), strict=True):
        deadline = time.monotonic() + wait
        live = p.text()
        while live != fresh and time.monotonic() < deadline:
            p.page.wait_for_timeout(250)
            live = p.text()
        if live != fresh:
            fresh = p.reloaded()  # the event may have landed after the first reload
            live = p.text()
        if live != fresh:
            problems.append(f"after {step}: {p.name}: {first_difference(live, fresh)}")


def settled(page: Any) -> None:
    """The page's commands are all acknowledged (its outbox is empty)."""
    page.wait_for_function(
        "() => !Object.keys(localStorage).some((k) => k.startsWith('facilitator:outbox:')"
        " && JSON.parse(localStorage.getItem(k) || '[]').length)"
    )


def new_workshop(office: Any, base: str) -> dict[str, str]:
    office.goto(base + "/organiser")
    office.fill("#title", "Live equals reload")
    office.fill(
        "#groups", "Harbour room | What would make reporting easier?\nGarden room | What else?"
    )
    office.get_by_role("button", name="Create workshop").click()
    office.wait_for_url(re.compile(r"/organiser/workshops/\d+$"))
    group = office.locator(".group-card").first
    return {
        "workshop": office.url,
        "join": str(group.get_by_role("link", name="Join link").get_attribute("href")),
        "console": base
        + str(group.get_by_role("link", name="Facilitator view").get_attribute("href")),
    }


def test_every_live_page_equals_its_reload_through_a_whole_session(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    base = demo["base_url"]
    office = organiser(browser, demo, watch)
    made = new_workshop(office, base)
    workshop = made["workshop"]

    console = office
    console.goto(made["console"])
    console.wait_for_selector("#conn[data-state=online]")
    projector = watch.page(office.context.browser.new_context(**PROJECTOR))
    projector.context.add_cookies(office.context.cookies())
    projector.goto(made["console"] + "/projector")
    projector.wait_for_selector("#conn[data-state=online]")
    wall = watch.page(office.context.browser.new_context(**PROJECTOR))
    wall.context.add_cookies(office.context.cookies())
    wall.goto(workshop + "/projector")
    control = watch.page(office.context.browser.new_context(**LAPTOP))
    control.context.add_cookies(office.context.cookies())
    control.goto(workshop + "/control")
    phones = []
    for _ in range(2):
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(made["join"])
        phone.wait_for_selector("#conn[data-state=online]")
        phones.append(phone)

    pages = [
        LivePage("console", console, "#board"),
        LivePage("phone", phones[0], "#board"),
        LivePage("group projector", projector, "#board"),
        LivePage("workshop projector", wall, "#mission", socket=False),
        LivePage("mission control", control, "#mission-table", socket=False),
    ]
    problems: list[str] = []

    def run(step: str, action: Callable[[], None]) -> None:
        action()
        for page in [console, *phones]:
            settled(page)
        agree(pages, step, problems)

    def command(**fields: Any) -> None:
        console.evaluate("(c) => window.facilitatorLive.send(c)", fields)

    def submit(phone: Any, text: str) -> None:
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")

    def cards() -> list[int]:
        settled(console)
        return [
            int(i)
            for i in console.eval_on_selector_all(
                "#workspace .card-idea[data-id]", "(els) => els.map((e) => e.dataset.id)"
            )
        ]

    def themes() -> list[int]:
        return [
            int(i)
            for i in console.eval_on_selector_all(
                ".theme-column[id^=cluster-]", "(els) => els.map((e) => e.id.split('-')[1])"
            )
        ]

    def ideas_burst() -> None:
        for n in range(6):
            submit(phones[n % 2], f"Idea number {n + 1} about reporting")
        expect(console.locator("#workspace .card-idea")).to_have_count(6)

    run("ideas arrive", ideas_burst)
    run("a theme", lambda: command(type="create_cluster", name="Reporting"))
    ids = cards()
    run("a move", lambda: command(type="move", idea_id=ids[0], to=themes()[0], **{"from": ""}))
    run("an edit", lambda: command(type="moderate_edit", idea_id=ids[1], text="Edited by us"))
    run("a hide", lambda: command(type="hide", idea_id=ids[2], reason="Off topic"))
    run("a merge", lambda: command(type="merge", idea_id=ids[3], into=ids[4]))
    run("more ideas", lambda: [submit(phones[0], f"Late idea {n}") for n in range(3)])
    run(
        "a rename",
        lambda: command(type="rename_cluster", cluster_id=themes()[0], name="Easy reporting"),
    )
    run("a restore", lambda: command(type="restore", idea_id=ids[2]))

    def own_edit_and_withdrawal() -> None:
        mine = phones[1].locator("#ideas .idea.mine")
        expect(mine.nth(1)).to_be_visible()
        edited, withdrawn = (
            int(str(m.get_attribute("data-id"))) for m in (mine.first, mine.nth(1))
        )
        send = "(c) => window.facilitatorLive.send(c)"
        phones[1].evaluate(send, {"type": "edit", "idea_id": edited, "text": "Rewritten"})
        phones[1].evaluate(send, {"type": "withdraw", "idea_id": withdrawn})

    run("an author's edit and withdrawal", own_edit_and_withdrawal)
    run("writing paused", lambda: command(type="lock_writing", locked="1"))
    run("a timer", lambda: command(type="start_timer", minutes="5"))
    run(
        "settings",
        lambda: command(type="settings", vote_budget="4", vote_cap="2", premoderation="1"),
    )
    run(
        "an idea to approve",
        lambda: [command(type="lock_writing", locked="0"), submit(phones[0], "Needs approval")],
    )

    def approve() -> None:
        settled(console)
        waiting = console.locator(".pending-card").first.get_attribute("id")
        command(type="restore", idea_id=int(str(waiting).split("-")[1]))

    run("an approval", approve)
    run("vote phase", lambda: command(type="set_phase", phase="vote"))
    run("tallies shown", lambda: command(type="reveal", what="votes", shown="1"))

    def vote() -> None:
        phones[0].evaluate(
            "(t) => window.facilitatorLive.send({type: 'vote', target: 'cluster', target_id: t})",
            themes()[0],
        )
        phones[1].evaluate(
            "(t) => window.facilitatorLive.send({type: 'vote', target: 'idea', target_id: t})",
            ids[4],
        )

    run("votes", vote)
    run(
        "a promotion",
        lambda: command(
            type="promote", source="cluster", source_id=themes()[0], title="Make reporting easy"
        ),
    )

    def agree_first() -> None:
        settled(console)
        rec = console.locator("#recommendations .rec").first.get_attribute("id")
        command(type="agree", recommendation_id=int(str(rec).split("-")[1]), agreed="1")

    run("an agreement", agree_first)

    def broadcast_banner() -> None:
        control.fill("#b-announce", "Back in the hall at three")
        control.click("button[value=announce]")
        confirm(control)
        expect(control.locator(".notice")).to_be_visible()

    run("a banner", broadcast_banner)

    def broadcast_phase() -> None:
        control.check("input[name=scope][value=all]")
        control.select_option("#b-phase", "closed")
        control.click("button[value=phase]")
        confirm(control)
        expect(control.locator(".notice")).to_be_visible()

    run("a phase broadcast", broadcast_phase)
    run(
        "a recommendation edited",
        lambda: command(
            type="edit_recommendation",
            recommendation_id=int(
                str(console.locator("#recommendations .rec").first.get_attribute("id")).split("-")[
                    1
                ]
            ),
            title="Make reporting one tap",
            text="Everywhere",
            rationale="Most dots",
        ),
    )
    run("a theme deleted", lambda: command(type="delete_cluster", cluster_id=themes()[0]))
    assert problems == [], "\n".join(problems)
