"""The theming board at 1366×768 (issue #22): roomy, columns scrolling inside, focus mode,
drag near an edge, drop on a card to merge, keyboard moves, and cards that fit."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, axe_problems, confirm, log_in, shot
from tests.servers import demo_server

# Where each card sits: fully on the screen, and fully inside its list's scrolled view.
CARDS_IN_VIEW = """() => [...document.querySelectorAll('#columns .card-idea')].filter((card) => {
  const box = card.getBoundingClientRect(), list = card.closest('ul').getBoundingClientRect();
  return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth
    && box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
}).length"""
COLUMNS_IN_VIEW = """() => [...document.querySelectorAll('#columns .theme-column')]
  .map((col) => col.getBoundingClientRect())
  .filter((box) => box.left >= 0 && box.right <= innerWidth && box.bottom <= innerHeight)
  .length"""
CLIPPED = """() => [...document.querySelectorAll('.columns .card-idea')].filter((card) => {
  const box = card.getBoundingClientRect(), col = card.closest('ul').getBoundingClientRect();
  return box.left < col.left - 0.5 || box.right > col.right + 0.5;
}).map((card) => card.id)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo of its own: these tests make themes and merge ideas."""
    with demo_server(tmp_path_factory.mktemp("board")) as info:
        yield info


def console(browser: Any, site: dict[str, Any], watch: Watch, index: int, **size: Any) -> Any:
    page = watch.page(browser.new_context(**(size or LAPTOP)))
    log_in(page, site["base_url"], site["organiser_email"], site["organiser_password"])
    page.goto(site["groups"][index]["facilitator_url"])
    page.wait_for_selector("#conn[data-state=online]")
    return page


def add_themes(page: Any, names: list[str]) -> None:
    for name in names:
        page.fill("#new-theme", name)
        page.get_by_role("button", name="Add theme").click()
        expect(page.locator(".theme-column h3", has_text=name)).to_have_count(1)


def spread(page: Any, per_theme: int) -> None:
    """Moves ideas from the unclustered column into each theme, as dragging would."""
    page.evaluate(
        """(n) => {
          const ideas = [...document.querySelectorAll('#unclustered .card-idea')];
          const themes = [...document.querySelectorAll('.columns .theme-column ul.cards')];
          themes.forEach((list, t) => ideas.slice(t * n, t * n + n).forEach((card) =>
            window.facilitatorLive.send({type: 'move', idea_id: card.dataset.id, from: '',
                                         to: list.dataset.cluster, position: '0'})));
        }""",
        per_theme,
    )


def test_the_board_takes_the_screen_and_its_columns_scroll_inside(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 6)  # 60 ideas, not yet sorted
    add_themes(page, ["Transport", "Housing", "Broadband", "Parks", "Downtown"])
    spread(page, 4)
    expect(page.locator("#unclustered .card-idea")).to_have_count(40)
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.evaluate(COLUMNS_IN_VIEW) >= 5
    assert page.evaluate(CARDS_IN_VIEW) >= 8
    # The unclustered ideas scroll inside their column, not the page.
    # Waited for, not read once: on a busy machine the last moves' re-renders may still be
    # laying the column out when the count is reached.
    page.wait_for_function(
        "() => { const el = document.querySelector('#unclustered');"
        " return el.scrollHeight > el.clientHeight + 100; }"
    )
    unclustered = page.locator("#unclustered")
    unclustered.evaluate("(el) => el.scrollTo(0, 400)")
    assert page.evaluate("() => window.scrollY") == 0
    # A live re-render (another facilitator adds a theme) keeps the column where it was.
    add_themes(page, ["Jobs"])
    assert unclustered.evaluate("(el) => el.scrollTop") == 400
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.evaluate(CLIPPED) == []
    assert axe_problems(page) == []
    shot(page, "board-roomy-1366")


def test_idea_cards_fit_their_columns(browser: Any, site: dict[str, Any], watch: Watch) -> None:
    """Defect 2: cards 256 px wide in 224–240 px columns were clipped."""
    page = console(browser, site, watch, 4)
    cards = page.locator(".columns .card-idea").count()
    assert cards >= 8  # enough to put one in each of seven themes and keep some
    add_themes(page, [f"Theme {n}" for n in range(1, 8)])
    spread(page, 1)
    expect(page.locator(".theme-column .card-idea")).to_have_count(7)
    assert page.locator(".columns .card-idea").count() == cards
    assert page.evaluate(CLIPPED) == []
    shot(page, "board-many-themes-1366")


def test_focus_mode_shows_only_the_board(browser: Any, site: dict[str, Any], watch: Watch) -> None:
    page = console(browser, site, watch, 1)
    height = page.locator("#columns").evaluate("(el) => el.clientHeight")
    toggle = page.get_by_role("button", name="Focus on the board")
    toggle.click()
    for hidden in [".topbar", "h1", ".join-box", "#controls", "#recommendations", "#idea-count"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#focus-toggle")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#columns").evaluate("(el) => el.clientHeight") > height + 150
    shot(page, "board-focus-1366")
    page.reload()
    page.wait_for_selector("#conn[data-state=online]")
    expect(page.locator("#controls")).to_be_hidden()  # still focused after a reload
    page.keyboard.press("Escape")
    expect(page.locator("#controls")).to_be_visible()
    expect(page.get_by_role("button", name="Focus on the board")).to_have_attribute(
        "aria-pressed", "false"
    )


Point = Callable[[], tuple[float, float]]
TIME_LIMIT = 15.0  # seconds, as for every expect() here (tests/e2e/conftest.py)


def middle(locator: Any) -> Point:
    """Where the element is now (a drag animates cards: ask again each time)."""

    def point() -> tuple[float, float]:
        box = locator.bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    return point


def classed(locator: Any, name: str) -> Callable[[], bool]:
    return lambda: bool(locator.evaluate(f"(el) => el.classList.contains('{name}')"))


def hold_until(
    move: Callable[[float, float], None], point: Point, done: Callable[[], bool]
) -> None:
    """Keep the pointer (or finger) on `point`, a small move at a time, until the board shows
    `done`: what the drop depends on. A busy browser gets there late (a card still
    animating out of the way, Sortable's touch polling not yet run), so this waits for that
    state, never for a length of time; each move is a real event, handled before the next."""
    deadline = time.monotonic() + TIME_LIMIT
    wiggle = 0
    while not done():
        assert time.monotonic() < deadline, "the board never reached the state to drop in"
        x, y = point()
        move(x, y + wiggle)
        wiggle = 1 - wiggle


def sent(page: Any) -> None:
    """Every command this page made has been answered by the server (its outbox is empty)."""
    page.wait_for_function(
        "() => !Object.keys(localStorage).some((k) => k.startsWith('facilitator:outbox:')"
        " && JSON.parse(localStorage.getItem(k) || '[]').length)"
    )


def start_drag(page: Any, source: Any) -> None:
    """Press on a card and move off it until the drag has begun (Sortable marks the card)."""
    box = source.bounding_box()
    x, y = box["x"] + box["width"] / 3, box["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 22, steps=5)
    hold_until(page.mouse.move, lambda: (x + 20, y + 22), classed(source, "sortable-ghost"))


def drag(page: Any, source: Any, onto: Any) -> None:
    """Drag a card over the middle of another and drop it there: a merge is offered."""
    start_drag(page, source)
    x, y = middle(onto)()
    page.mouse.move(x, y, steps=15)
    hold_until(page.mouse.move, middle(onto), classed(onto, "merge-target"))
    page.mouse.up()


def test_dragging_near_an_edge_scrolls(browser: Any, site: dict[str, Any], watch: Watch) -> None:
    page = console(browser, site, watch, 6)
    columns = page.locator("#columns")
    add_themes(page, [f"More {n}" for n in range(1, 9)])  # wider than the screen now
    assert columns.evaluate("(el) => el.scrollWidth > el.clientWidth")
    box = columns.bounding_box()
    card = page.locator("#unclustered .card-idea").first
    start_drag(page, card)
    edge = (box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
    page.mouse.move(*edge, steps=15)
    scrolled = lambda: columns.evaluate("(el) => el.scrollLeft") > 50  # noqa: E731
    hold_until(page.mouse.move, lambda: edge, scrolled)
    page.mouse.up()


def test_dropping_a_card_on_a_card_offers_a_merge(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 5)  # 3 ideas, not in a theme
    cards = page.locator("#unclustered .card-idea")
    expect(cards).to_have_count(3)
    first_id, second_id = (cards.nth(n).get_attribute("data-id") for n in (0, 1))
    first = page.locator(f"#idea-{first_id}")  # by id: a drag reorders the list
    first_text = first.locator(".idea-text").inner_text()
    drag(page, first, page.locator(f"#idea-{second_id}"))
    dialog = page.locator("#merge-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-merge=from]")).to_have_text(first_text)
    shot(page, "board-merge-offer-1366")
    dialog.get_by_role("button", name="Merge").click()
    expect(cards).to_have_count(2)
    expect(page.locator(f"#idea-{second_id} .merged")).to_be_visible()
    page.reload()
    expect(page.locator("#unclustered .card-idea")).to_have_count(2)
    expect(page.locator(f"#idea-{second_id} .merged")).to_be_visible()


def test_cancelling_a_merge_by_drop_changes_nothing(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 3)
    cards = page.locator("#unclustered .card-idea, .theme-column .card-idea")
    before = cards.evaluate_all("(els) => els.map((el) => el.id)")
    first, second = (page.locator(f"#{cards.nth(n).get_attribute('id')}") for n in (0, 1))
    drag(page, first, second)
    page.locator("#merge-dialog").get_by_role("button", name="Cancel").click()
    assert cards.evaluate_all("(els) => els.map((el) => el.id)") == before
    page.reload()
    assert cards.evaluate_all("(els) => els.map((el) => el.id)") == before


def test_ideas_move_between_themes_by_keyboard(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 2)  # themes already
    first_theme = page.locator(".theme-column").first
    card = first_theme.locator(".card-idea").first
    idea_id = card.get_attribute("data-id")
    count = first_theme.locator(".card-idea").count()
    page.locator(f"[data-idea-actions='{idea_id}']").focus()
    page.keyboard.press("Alt+ArrowRight")
    second_theme = page.locator(".theme-column").nth(1)
    expect(second_theme.locator(f"#idea-{idea_id}")).to_have_count(1)
    expect(first_theme.locator(".card-idea")).to_have_count(count - 1)
    expect(page.locator(f"[data-idea-actions='{idea_id}']")).to_be_focused()
    page.keyboard.press("Alt+ArrowLeft")
    expect(first_theme.locator(f"#idea-{idea_id}")).to_have_count(1)
    page.reload()
    expect(first_theme.locator(f"#idea-{idea_id}")).to_have_count(1)


def test_after_mark_agreed_the_button_says_what_it_does(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    """Defect 7: after "Mark agreed" the button read "Not agreed", which reads as a status."""
    page = console(browser, site, watch, 3)  # recommending, with recommendations
    rec = page.locator("#recommendations .rec").first
    rec_id = rec.get_attribute("id")
    was_agreed = "agreed" in (rec.get_attribute("class") or "")
    if was_agreed:
        rec.get_by_role("button", name="Undo agreement").click()
    page.locator(f"#{rec_id}").get_by_role("button", name="Mark agreed").click()
    rec = page.locator(f"#{rec_id}")
    expect(rec.locator(".badge")).to_have_text("Agreed")
    expect(rec.get_by_role("button", name="Undo agreement")).to_be_visible()
    expect(rec.get_by_role("button", name="Not agreed")).to_have_count(0)
    rec.get_by_role("button", name="Undo agreement").click()
    expect(page.locator(f"#{rec_id} .badge")).to_have_count(0)


def test_merge_into_lists_the_most_alike_first_and_searches(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    group = site["groups"][0]  # collecting ideas
    page = console(browser, site, watch, 0)
    texts = page.locator("#workspace .card-idea .idea-text").all_inner_texts()
    source = max(texts, key=len)
    idea_id = page.locator("#workspace .card-idea", has_text=source).get_attribute("data-id")
    # A phone sends the same idea again, in other case and spacing: the likest of all.
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(group["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    phone.fill("#idea-text", "  " + source.upper())
    phone.click("#compose button[type=submit]")
    expect(page.locator("#workspace .card-idea")).to_have_count(len(texts) + 1)
    page.locator(f"[data-idea-actions='{idea_id}']").click()
    dialog = page.locator("#idea-dialog")
    choices = dialog.locator(".merge-choice")
    expect(dialog.locator(".merge-list")).to_have_attribute("data-ranked", "1")
    expect(choices).to_have_count(len(texts))  # every other idea, in full
    assert choices.first.inner_text().startswith(source.upper().strip())
    expect(choices.first.locator(".alike")).to_be_visible()
    assert max(len(t) for t in choices.all_inner_texts()) >= len(source)  # nothing cut
    # The list is in the engine's order: each score no higher than the one before.
    url = page.locator("#idea-dialog").get_attribute("data-similar")
    ranked = page.evaluate(f"async () => (await fetch('{url}{idea_id}/similar')).json()")
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    assert [c.get_attribute("data-id") for c in choices.all()] == [str(r["id"]) for r in ranked]
    shot(page, "board-merge-into-1366")
    word = max(texts[-1].split(), key=len)
    dialog.get_by_label("Merge into").fill(word.upper())
    visible = dialog.locator(".merge-choice:visible")
    expect(visible.first).to_be_visible()
    assert all(word.lower() in t.lower() for t in visible.all_inner_texts())
    assert visible.count() < len(texts)
    visible.first.locator("input").check()
    into = visible.first.get_attribute("data-id")
    dialog.get_by_role("button", name="Merge", exact=True).click()
    confirm(page)  # a merge is a big action: it asks first
    expect(page.locator(f"#idea-{into} .merged")).to_be_visible()
    expect(page.locator(f"#idea-{idea_id}")).to_have_count(0)


def test_a_recommendation_is_written_in_a_roomy_editor_seeded_from_its_theme(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 3)  # recommending
    theme = page.locator(".theme-column").nth(1)
    name = theme.locator("h3").evaluate("(h) => h.firstChild.textContent.trim()")
    ideas = {" ".join(t.split()) for t in theme.locator(".card-idea .idea-text").all_inner_texts()}
    theme.locator(".menu > summary").click()
    theme.get_by_role("button", name="Write a recommendation").click()
    editor = page.locator("#rec-editor")
    expect(editor).to_be_visible()
    assert editor.bounding_box()["width"] >= 600  # room, not a 300 px popover
    expect(editor.get_by_label("Title")).to_have_value(name)
    seeded = editor.locator("textarea[name=text]").input_value()
    quoted = [" ".join(q.split()) for q in re.findall(r"“(.*?)”", seeded, re.S)]
    assert len(quoted) >= 2 and set(quoted) <= ideas  # the theme's own ideas, quoted
    expect(editor.get_by_label("Who acts", exact=True)).to_be_hidden()
    assert axe_problems(page) == []
    editor.get_by_label("Use a structure: what, why, who acts").check()
    editor.get_by_label("What we recommend").fill(
        "Fund procurement clinics for partner ministries."
    )
    editor.get_by_label("Why", exact=True).fill("Most contracts carry no security clause today.")
    editor.get_by_label("Who acts", exact=True).fill("The ministry of ICT, with the national CERT")
    shot(page, "board-rec-editor-1366")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_be_hidden()
    rec = page.locator("#recommendations .rec", has_text="Fund procurement clinics")
    expect(rec).to_have_count(1)
    expect(rec.locator("h3")).to_contain_text(name)
    # Who acts is shown apart, not as the text's last paragraph.
    expect(rec.locator(".rec-who")).to_have_text(
        "Who acts: The ministry of ICT, with the national CERT"
    )
    expect(rec.locator(".rec-text")).to_have_text(
        "Fund procurement clinics for partner ministries."
    )
    expect(rec).to_contain_text("From:")
    rec.scroll_into_view_if_needed()
    shot(page, "board-rec-who-acts-1366")
    # Edit again in the same panel: the structure comes back apart, the change is kept.
    rec.get_by_text("Edit", exact=True).click()
    expect(editor.get_by_label("Who acts", exact=True)).to_have_value(
        "The ministry of ICT, with the national CERT"
    )
    expect(editor.get_by_label("What we recommend")).to_have_value(
        "Fund procurement clinics for partner ministries."
    )
    editor.get_by_label("Who acts", exact=True).fill("The procurement office")
    editor.get_by_role("button", name="Save").click()
    expect(rec.locator(".rec-who")).to_have_text("Who acts: The procurement office")
    page.reload()
    rec = page.locator("#recommendations .rec", has_text="Fund procurement clinics")
    expect(rec.locator(".rec-who")).to_have_text("Who acts: The procurement office")
    expect(rec).to_contain_text("Most contracts carry no security clause today.")
    assert "→" not in rec.locator(".rec-text").inner_text()
    # The synthesis shows it apart too, and a final made from it alone copies it.
    synthesis = page.context.new_page()
    synthesis.set_viewport_size(LAPTOP["viewport"])
    synthesis.goto(f"{site['base_url']}/organiser/workshops/{site['workshop_id']}/synthesis")
    card = synthesis.locator(".group-recs li", has_text="Fund procurement clinics")
    expect(card).to_contain_text("Who acts: The procurement office")
    card.get_by_role("checkbox").check()
    synthesis.get_by_role("button", name="Create final recommendation").click()
    final = synthesis.locator(".finals > li", has_text="Fund procurement clinics").first
    expect(final).to_contain_text("Who acts: The procurement office")
    final.locator("summary", has_text="Rewrite").click()
    expect(final.get_by_label("Who acts")).to_have_value("The procurement office")
    final.scroll_into_view_if_needed()
    shot(synthesis, "synthesis-who-acts-1366")
    assert axe_problems(synthesis) == []
    synthesis.close()
    # Unticking the structure names no one any more.
    rec.get_by_text("Edit", exact=True).click()
    expect(editor.get_by_label("Use a structure: what, why, who acts")).to_be_checked()
    editor.get_by_label("Use a structure: what, why, who acts").uncheck()
    editor.get_by_role("button", name="Save").click()
    expect(rec.locator(".rec-who")).to_have_count(0)
    page.reload()
    rec = page.locator("#recommendations .rec", has_text="Fund procurement clinics")
    expect(rec.locator(".rec-who")).to_have_count(0)
    expect(rec.locator(".rec-text")).to_have_text(
        "Fund procurement clinics for partner ministries."
    )


def test_the_editor_and_board_on_a_phone(browser: Any, site: dict[str, Any], watch: Watch) -> None:
    page = console(browser, site, watch, 3, **PHONE, color_scheme="dark")
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    shot(page, "board-console-390")
    page.locator(".theme-column .menu > summary").first.click()
    page.get_by_role("button", name="Write a recommendation").first.click()
    editor = page.locator("#rec-editor")
    expect(editor).to_be_visible()
    assert editor.bounding_box()["width"] >= 380
    shot(page, "board-rec-editor-390")
    assert axe_problems(page) == []


def ids_in(section: Any) -> list[str]:
    return [str(li.get_attribute("data-idea")) for li in section.locator("li[data-idea]").all()]


def test_suggested_themes_are_edited_before_they_are_accepted(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 6)  # many ideas not in a theme
    themes_before = page.locator(".theme-column").evaluate_all(
        "(cols) => cols.map((c) => c.querySelector('h3').textContent.trim())"
    )
    page.get_by_role("button", name="Suggest themes").click()
    panel = page.locator("#suggestions")
    expect(panel.locator("form[data-suggestions]")).to_be_visible(timeout=60_000)
    proposals = panel.locator("[data-suggestion]:not([data-cluster])")
    assert proposals.count() >= 3
    one, two, three = proposals.nth(0), proposals.nth(1), proposals.nth(2)
    left_out = panel.locator("[data-left-alone]")
    # Rename, by keyboard.
    one.locator("input[name=name]").fill("Getting around town")
    # Move an idea from the second suggestion to the first with its Move list (keyboard).
    moved = ids_in(two)[0]
    two.locator(f"li[data-idea='{moved}'] select").select_option(label="Getting around town")
    assert moved in ids_in(one)
    # Leave an idea out.
    dropped = ids_in(one)[0]
    one.locator(f"li[data-idea='{dropped}'] select").select_option(label="Left out")
    assert dropped in ids_in(left_out)
    # Drag an idea from the third suggestion into the first.
    dragged = ids_in(three)[0]
    source = three.locator(f"li[data-idea='{dragged}'] .suggested-text")
    panel.evaluate("(dialog) => dialog.scrollTo(0, 0)")  # both lists start at the top
    source.drag_to(one.locator("li[data-idea]").first, target_position={"x": 40, "y": 4})
    assert dragged in ids_in(one)
    # Merge the second into the third, then drop the third: all their ideas are left out.
    second_name = two.locator("input[name=name]").input_value()
    second_ideas = ids_in(two)
    two.locator("select[data-merge-target]").select_option(index=1)
    merged_into = two.locator("select[data-merge-target]").evaluate(
        "(s) => s.options[s.selectedIndex].textContent"
    )
    two.get_by_role("button", name="Merge", exact=True).click()
    into = panel.locator("[data-suggestion]", has=page.locator(f"input[value='{merged_into}']"))
    assert set(second_ideas) <= set(ids_in(into.first))
    assert second_name not in panel.locator("input[name=name]").evaluate_all(
        "(els) => els.map((e) => e.value)"
    )
    shot(page, "board-suggestions-1366")
    assert axe_problems(page) == []
    # Accept only the first.
    for box in panel.locator("[data-suggestion] [data-accept]").all()[1:]:
        box.uncheck()
    accepted = ids_in(one)
    panel.get_by_role("button", name="Accept the ticked themes").click()
    column = page.locator(".theme-column", has=page.locator("h3", has_text="Getting around town"))
    expect(column).to_have_count(1)
    expect(column.locator(".card-idea")).to_have_count(len(accepted))
    assert sorted(
        column.locator(".card-idea").evaluate_all("(els) => els.map((e) => e.dataset.id)")
    ) == sorted(accepted)
    expect(page.locator(f"#unclustered #idea-{dropped}")).to_have_count(1)
    # The rest stay in the panel to work on; "Suggest again" leaves accepted themes alone.
    expect(panel).to_be_visible()
    assert panel.locator("[data-suggestion]").count() >= 1
    panel.get_by_role("button", name="Suggest again").click()
    expect(panel.locator("form[data-suggestions]")).to_be_visible(timeout=60_000)
    for idea in accepted:
        expect(panel.locator(f"li[data-idea='{idea}']")).to_have_count(0)
    panel.get_by_role("button", name="Close").click()
    themes_after = page.locator(".theme-column").evaluate_all(
        "(cols) => cols.map((c) => c.querySelector('h3').textContent.trim())"
    )
    assert themes_after[: len(themes_before)] == themes_before
    page.reload()
    column = page.locator(".theme-column", has=page.locator("h3", has_text="Getting around town"))
    expect(column.locator(".card-idea")).to_have_count(len(accepted))


def test_a_finger_drags_an_idea_into_a_theme(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    page = console(browser, site, watch, 2, **LAPTOP, has_touch=True)
    columns = page.locator(".theme-column")
    idea_id = columns.nth(0).locator(".card-idea").first.get_attribute("data-id")
    card = page.locator(f"#columns #idea-{idea_id}").first  # Sortable's touch clone shares it
    start = card.locator(".idea-text").bounding_box()
    end = columns.nth(1).locator("ul.cards").bounding_box()
    touch = page.context.new_cdp_session(page)

    def finger(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def press(x: float, y: float) -> None:
        """A press that becomes a drag once Sortable's touch delay is over (a quick swipe
        scrolls instead): wait for that, not for a time that a busy machine overruns."""
        finger("touchStart", x, y)
        expect(card).to_have_class(re.compile(r"\bsortable-chosen\b"))

    def slide(x: float, y: float, tx: float, ty: float) -> None:
        for n in range(1, 21):
            finger("touchMove", x + (tx - x) * n / 20, y + (ty - y) * n / 20)

    x, y = start["x"] + 20, start["y"] + 10
    press(x, y)
    tx, ty = end["x"] + end["width"] / 2, end["y"] + end["height"] - 10
    slide(x, y, tx, ty)
    # Lift the finger once the card has moved into the theme: Sortable follows a finger by
    # polling, which a busy browser runs late.
    there = columns.nth(1).locator(f"#idea-{idea_id}")
    hold_until(partial(finger, "touchMove"), lambda: (tx, ty), lambda: there.count() == 1)
    finger("touchEnd", tx, ty)
    expect(columns.nth(1).locator(f"#idea-{idea_id}")).to_have_count(1)
    sent(page)  # the card moved on this page at once; the server has the move only now
    page.reload()
    expect(page.locator(".theme-column").nth(1).locator(f"#idea-{idea_id}")).to_have_count(1)
    page.wait_for_selector("#conn[data-state=online]")

    # A card held over the middle of another offers to merge them, as with a mouse.
    idea_id = columns.nth(0).locator(".card-idea").first.get_attribute("data-id")
    card = page.locator(f"#columns #idea-{idea_id}").first
    other_id = columns.nth(1).locator(".card-idea").first.get_attribute("data-id")
    other = page.locator(f"#idea-{other_id}")
    start = card.locator(".idea-text").bounding_box()
    x, y = start["x"] + 20, start["y"] + 10
    tx, ty = middle(other)()
    press(x, y)
    slide(x, y, tx, ty)
    hold_until(partial(finger, "touchMove"), middle(other), classed(other, "merge-target"))
    finger("touchEnd", tx, ty)
    dialog = page.locator("#merge-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-merge=into]")).to_have_text(
        other.locator(".idea-text").inner_text()
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
