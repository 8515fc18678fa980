"""The organiser in Chromium: mission control reaches every phone; projector and join cards."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, Watch, confirm, shot

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def organiser_page(browser: Any, demo: dict[str, Any], watch: Watch, size: dict[str, Any]) -> Any:
    page = watch.page(browser.new_context(**size))
    page.goto(f"{demo['base_url']}/login")
    page.fill("#email", demo["organiser_email"])
    page.fill("#password", demo["organiser_password"])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/organiser")
    return page


def test_mission_control_broadcasts_a_banner_to_every_phone(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    phones = []
    for group in demo["groups"][:2]:
        phone = watch.page(browser.new_context(**PHONE))
        phone.goto(group["join_url"])
        phone.wait_for_selector("#conn[data-state=online]")
        phones.append(phone)
    control = organiser_page(browser, demo, watch, LAPTOP)
    control.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/control")
    expect(control.locator(".mission-table tbody tr")).to_have_count(len(demo["groups"]))
    control.fill("#b-announce", "Five minutes left, then back to the main hall")
    control.click("button[value=announce]")
    confirm(control)
    expect(control.locator(".notice")).to_contain_text("Done")
    for phone in phones:
        expect(phone.locator(".announcement")).to_have_text(
            "Five minutes left, then back to the main hall"
        )
    shot(control, "mission-control")
    shot(phones[0], "phone-banner")
    control.click("button[value=clear]")
    confirm(control)
    for phone in phones:
        expect(phone.locator(".announcement")).to_have_count(0)


def test_projector_and_join_cards_render(browser: Any, demo: dict[str, Any], watch: Watch) -> None:
    screen = organiser_page(browser, demo, watch, PROJECTOR)
    group = demo["groups"][0]
    screen.goto(f"{demo['base_url']}/facilitator/groups/{group['id']}/projector")
    screen.wait_for_selector("#conn[data-state=online]")
    expect(screen.locator(".projector-join .code")).to_have_text(
        f"{group['code'][:4]}-{group['code'][4:]}"
    )
    phone = watch.page(browser.new_context(**PHONE))
    phone.goto(group["join_url"])
    phone.fill("#idea-text", "Seen from the back of the room")
    phone.click("#compose button[type=submit]")
    expect(screen.locator("#ideas .idea-text", has_text="Seen from the back")).to_have_count(1)
    shot(screen, "projector-group")
    screen.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/projector")
    expect(screen.locator(".projector-themes > li")).to_have_count(len(demo["groups"]))
    shot(screen, "projector-workshop")
    screen.goto(f"{demo['base_url']}/organiser/workshops/{demo['workshop_id']}/cards")
    expect(screen.locator(".join-card")).to_have_count(len(demo["groups"]))
    shot(screen, "join-cards")
