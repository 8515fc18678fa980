"""Every page, in light and dark: axe-core finds nothing serious, no page scrolls sideways
(phones at 360 px, laptops at 1366 px), phone pages have tap targets of at least 44 px; a
screenshot of each is kept to be looked at."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, SMALL_PHONE, Watch, axe_problems, confirm, organiser, shot

# Interactive elements a finger has to hit; a checkbox is hit through its label.
TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .map((el) => (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) || el)
  .filter((el) => el.closest('.visually-hidden, .skip-link') === null)
  .map((el) => ({el, box: el.getBoundingClientRect()}))
  .filter(({box}) => box.width > 0 && box.height > 0)
  .filter(({box}) => box.height < 44 || box.width < 44)
  .map(({el, box}) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" `
       + `${Math.round(box.width)}x${Math.round(box.height)}`)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


class Pages:
    """Checks each page it is shown and keeps what is wrong, to report all at once."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.problems: dict[str, list[str]] = {}

    def check(self, page: Any, name: str, phone: bool = False) -> None:
        page.wait_for_load_state()
        found = axe_problems(page)
        if (extra := page.evaluate(OVERFLOW)) > 0:
            found.append(f"scrolls sideways by {extra} px")
        if phone:
            found += [f"tap target too small: {t}" for t in page.evaluate(TARGETS)]
        if found:
            self.problems[name] = found
        shot(page, f"{name}-{self.scheme}")


def new_workshop(office: Any, title: str) -> dict[str, str]:
    """A workshop of one empty group, made on the dashboard: empty states and a closed group."""
    office.goto(office.url.split("/organiser")[0] + "/organiser")
    office.fill("#title", title)
    office.fill("#groups", "Quiet room | What would you change first?")
    office.get_by_role("button", name="Create workshop").click()
    office.wait_for_url(re.compile(r"/organiser/workshops/\d+$"))
    group = office.locator(".group-card").first
    return {
        "workshop": office.url,
        "join": str(group.get_by_role("link", name="Join link").get_attribute("href")),
        "console": str(group.get_by_role("link", name="Facilitator view").get_attribute("href")),
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_in_every_phase(
    browser: Any, demo: dict[str, Any], watch: Watch, scheme: str
) -> None:
    base, pages = demo["base_url"], Pages(scheme)
    office = organiser(browser, demo, watch, **LAPTOP, color_scheme=scheme)
    phone = watch.page(browser.new_context(**SMALL_PHONE, color_scheme=scheme))

    # A fresh group: the empty board, an own idea and its edit page, then closed.
    fresh = new_workshop(office, f"Empty states ({scheme})")
    phone.goto(fresh["join"])
    phone.wait_for_selector("#conn[data-state=online]")
    pages.check(phone, "phone-empty", phone=True)
    office.goto(base + fresh["console"])
    office.wait_for_selector("#conn[data-state=online]")
    pages.check(office, "console-empty")
    phone.fill("#idea-text", "Ask the quiet people first")
    phone.click("#compose button[type=submit]")
    edit = phone.locator("#ideas .idea.mine").get_by_role("link", name="Edit")
    phone.goto(base + str(edit.get_attribute("href")))
    pages.check(phone, "phone-edit", phone=True)
    office.locator("button.phase-step", has_text="Closed").click()
    confirm(office)
    expect(office.locator("button.phase-step", has_text="Closed")).to_have_attribute(
        "aria-current", "step"
    )
    phone.goto(fresh["join"])
    expect(phone.locator("#board-body")).to_have_attribute("data-phase", "closed")
    pages.check(phone, "phone-closed", phone=True)

    # The demo's groups, one in each of the other phases, on a phone and on the console.
    phases = ["collect", "cluster", "vote", "recommend"]
    for group, phase in zip(demo["groups"][: len(phases)], phases, strict=True):
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
        if phase == "vote":
            phone.locator("form[data-command=vote] button").first.click()
            expect(phone.locator(".vote-box.voted")).to_have_count(1)
        pages.check(phone, f"phone-{phase}", phone=True)
        office.goto(group["facilitator_url"])
        office.wait_for_selector("#conn[data-state=online]")
        pages.check(office, f"console-{phase}")
    office.goto(demo["groups"][1]["facilitator_url"])
    office.locator(".card-actions").first.click()
    expect(office.locator("#idea-dialog")).to_be_visible()
    pages.check(office, "console-dialog")
    office.keyboard.press("Escape")
    office.locator(".theme-column .menu > summary").first.click()
    pages.check(office, "console-theme-menu")

    # The way in, on a phone: start page, a wrong code, the group picker, log-in, errors.
    for path, name in [
        ("/", "phone-home"),
        ("/join?code=NOPE-NOPE", "phone-home-bad-code"),
        ("/login", "phone-login"),
        ("/j/ZZZZ-ZZZZ", "phone-unknown-code"),
        ("/no-such-page", "phone-not-found"),
    ]:
        phone.goto(base + path)
        pages.check(phone, name, phone=True)

    # Staff pages on a laptop.
    workshop = f"{base}/organiser/workshops/{demo['workshop_id']}"
    office.goto(workshop)
    workshop_link = office.locator("section[aria-labelledby=join-heading] a").first
    phone.goto(str(workshop_link.get_attribute("href")))
    expect(phone.locator(".picker a")).to_have_count(len(demo["groups"]))
    pages.check(phone, "phone-picker", phone=True)
    group = demo["groups"][0]["facilitator_url"]
    for url, name in [
        (f"{base}/organiser", "organiser-dashboard"),
        (workshop, "organiser-workshop"),
        (f"{workshop}/control", "organiser-control"),
        (f"{workshop}/synthesis", "organiser-synthesis"),
        (fresh["workshop"] + "/synthesis", "organiser-synthesis-empty"),
        (f"{workshop}/cards", "organiser-cards"),
        (f"{workshop}/projector", "organiser-projector"),
        (f"{base}/facilitator", "facilitator-groups"),
        (f"{group}/audit", "facilitator-audit"),
        (f"{group}/projector", "facilitator-projector"),
        (f"{base}/account", "account"),
        (f"{base}/organiser/workshops/999999", "staff-not-found"),
    ]:
        office.goto(url)
        pages.check(office, name)
    expect(office.get_by_role("link", name="Back to your workshops")).to_be_visible()

    # An invitation, as its facilitator opens it, and the log-in page on a laptop.
    office.goto(fresh["workshop"])
    office.fill("#invite-email", f"guest-{scheme}@example.org")
    office.locator("fieldset input[name=group]").first.check()
    office.get_by_role("button", name="Make invitation link").click()
    invitation = str(office.locator("input.copy").input_value())
    guest = watch.page(browser.new_context(**LAPTOP, color_scheme=scheme))
    guest.goto(invitation)
    pages.check(guest, "invitation")
    guest.goto(f"{base}/login")
    pages.check(guest, "login")

    assert pages.problems == {}
