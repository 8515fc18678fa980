"""The phone board and the facilitator console in Arabic (right to left) and in French."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LAPTOP, PHONE, Watch, shot

ARABIC_IDEA = "تدريب القضاة على قضايا الجرائم السيبرانية"
MIXED_IDEA = "Twin our CERT with فرق الاستجابة in the region"


def fits(page: Any) -> bool:
    """Nothing sticks out sideways: no horizontal scrolling, in either direction."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def direction(page: Any) -> tuple[str, str]:
    lang, dir_ = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    return lang, dir_


def test_an_arabic_phone_reads_right_to_left_and_ideas_keep_their_own_direction(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][-1]  # collecting ideas
    phone = watch.page(browser.new_context(locale="ar", **PHONE))
    phone.goto(group["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    assert direction(phone) == ("ar", "rtl")
    for text in (ARABIC_IDEA, MIXED_IDEA):
        phone.fill("#idea-text", text)
        phone.tap("#compose button[type=submit]")
        phone.wait_for_selector(f"#ideas .idea-text:text('{text}')")
    # Each idea is laid out in its own direction, whatever the page's.
    shown = phone.locator("#ideas .idea-text", has_text=MIXED_IDEA)
    assert shown.evaluate("e => getComputedStyle(e).direction") == "ltr"
    shot(phone, "phone-board-ar")
    assert fits(phone)
    voting = demo["groups"][2]  # themes and dots
    phone.goto(voting["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    shot(phone, "phone-vote-ar")
    assert fits(phone)


def test_one_tap_turns_a_phone_to_french(browser: Any, demo: dict[str, Any], watch: Watch) -> None:
    group = demo["groups"][-1]
    phone = watch.page(browser.new_context(locale="en-GB", **PHONE))
    phone.goto(group["join_url"])
    phone.wait_for_selector("#conn[data-state=online]")
    assert direction(phone) == ("en", "ltr")
    phone.tap("footer.languages button[lang=fr]")
    phone.wait_for_selector("html[lang=fr]")
    phone.wait_for_selector("#conn[data-state=online]")
    assert phone.locator("#idea-text").get_attribute("placeholder") == "Écrivez votre idée…"
    phone.reload()  # the choice sticks to the device
    assert direction(phone) == ("fr", "ltr")
    shot(phone, "phone-board-fr")
    assert fits(phone)


def test_the_facilitator_console_in_arabic_and_french(
    browser: Any, demo: dict[str, Any], watch: Watch
) -> None:
    group = demo["groups"][1]  # finding themes: the columns and the cards
    for locale, expected in (("ar", "rtl"), ("fr", "ltr")):
        laptop = watch.page(browser.new_context(locale=locale, **LAPTOP))
        laptop.goto(group["facilitator_url"])
        laptop.fill("#email", group["facilitator_email"])
        laptop.fill("#password", group["facilitator_password"])
        laptop.click("form[action='/login'] button[type=submit]")
        laptop.wait_for_selector("#conn[data-state=online]")
        assert direction(laptop) == (locale, expected)
        shot(laptop, f"facilitator-console-{locale}")
        assert fits(laptop)
        laptop.context.close()
