"""Stored XSS in Chromium: hostile ideas, a hostile display name and theme name show as text
on the phone, the console, the projectors, mission control and synthesis, and no script runs
(no dialog, no page error, no console error such as a CSP violation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, confirm
from tests.e2e.test_phone_board import log_in
from tests.servers import demo_server
from tests.test_xss import HOSTILE

# Each would raise a dialog, or set the page's title, if it ran.
PAYLOADS = [
    *HOSTILE.values(),
    "<img src=x onerror=\"document.title='pwned'\">",
    "<svg><script>alert(2)</script></svg>",
]
NAME = "<b onmouseover=alert(3)>Mallory</b>"[:60]
THEME = "<img src=x onerror=alert(4)>theme"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo server of its own: these texts stay out of the other browser tests' groups."""
    with demo_server(tmp_path_factory.mktemp("xss")) as info:
        yield info


def untouched(page: Any) -> None:
    assert page.evaluate("document.title") != "pwned"
    assert (
        page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover]').length") == 0
    )


def test_hostile_texts_run_no_script_anywhere(
    browser: Any, site: dict[str, Any], watch: Watch
) -> None:
    group = site["groups"][0]
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(group["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    phone.click("details.name-box summary")
    phone.fill("#display-name", NAME)
    phone.click("#name-form button[type=submit]")
    phone.wait_for_selector("#conn[data-state=online]")
    for text in PAYLOADS:
        phone.fill("#idea-text", text)
        phone.click("#compose button[type=submit]")
    for text in PAYLOADS:
        expect(phone.locator("#ideas .idea-text", has_text=text)).to_have_count(1)
    untouched(phone)

    console = watch.page(browser.new_context(**LAPTOP))
    log_in(console, group)
    for text in PAYLOADS:
        expect(console.locator("#workspace .card-idea", has_text=text)).to_have_count(1)
    console.click("button.phase-step:text('Find themes')")
    confirm(console)
    console.fill("#new-theme", THEME)
    console.press("#new-theme", "Enter")
    expect(console.locator(".theme-column h3", has_text=THEME)).to_have_count(1)
    untouched(console)

    base, workshop = site["base_url"], site["workshop_id"]
    views = [
        f"{base}/facilitator/groups/{group['id']}/projector",
        f"{base}/facilitator/groups/{group['id']}/audit",
    ]
    for url in views:
        console.goto(url)
        console.wait_for_load_state("networkidle")
        untouched(console)

    organiser = watch.page(browser.new_context(**LAPTOP))
    organiser.goto(f"{base}/login")
    organiser.fill("#email", site["organiser_email"])
    organiser.fill("#password", site["organiser_password"])
    organiser.click("form[action='/login'] button[type=submit]")
    organiser.wait_for_url("**/organiser")
    for page in ["control", "projector", "synthesis", ""]:
        organiser.goto(f"{base}/organiser/workshops/{workshop}/{page}".rstrip("/"))
        organiser.wait_for_load_state("networkidle")
        untouched(organiser)
    organiser.goto(f"{base}/facilitator/groups/{group['id']}/audit")
    expect(organiser.locator("td", has_text="Mallory").first).to_be_visible()
    untouched(organiser)
    phone.reload()  # the board in the themes phase, rendered afresh
    phone.wait_for_selector("#conn[data-state=online]")
    untouched(phone)
