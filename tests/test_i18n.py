"""The product speaks English, French, Spanish and Arabic: pages, live fragments, refusals,
exports, dates and numbers, in the reader's language (the workshop's for shared outputs)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from facilitator import i18n
from facilitator.domain import setup_file
from facilitator.export import data
from facilitator.models import Workshop
from tests.conftest import Person, Socket, World, connect
from tests.support import post_idea, text_of


def speaks(person: Person, locale: str) -> Person:
    person.http.cookies.set(i18n.COOKIE, locale)
    return person


def html_tag(page: str) -> str:
    match = re.search(r"<html[^>]*>", page)
    assert match is not None
    return match.group(0)


# -- choosing the language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de-DE,es;q=0.7,ar;q=0.9", "ar"),  # German we do not speak; Arabic ranks higher
        (None, "de, ja", "en"),
        (None, "", "en"),
        (None, "es;q=0, fr;q=0.1", "fr"),  # q=0 means "not this one"
        ("ar", "fr", "ar"),  # the device's own choice wins
        ("xx", "es-MX", "es"),  # an unknown cookie is ignored
    ],
)
def test_the_language_is_the_devices_choice_else_the_browsers(
    cookie: str | None, header: str, expected: str
) -> None:
    assert i18n.negotiate(cookie, header) == expected


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_pages_render_in_each_language(world: World, locale: str) -> None:
    home = world.browser().get("/", headers={"accept-language": locale})
    assert home.status_code == 200
    expected = {"en": "Join your group", "fr": "Rejoignez votre groupe",
                "es": "Únete a tu grupo", "ar": "انضم إلى مجموعتك"}[locale]  # fmt: skip
    assert expected in home.text
    tag = html_tag(home.text)
    assert f'lang="{locale}"' in tag
    assert f'dir="{"rtl" if locale == "ar" else "ltr"}"' in tag


def test_one_tap_switches_the_language_and_it_sticks_to_the_device(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone = world.phone(group.code)
    board = phone.get(f"/j/{group.code}", headers={"accept-language": "fr"})
    assert "Écrivez votre idée…" in board.text
    assert 'name="lang" value="ar"' in board.text  # the switcher is on the board

    switched = phone.post("/language", {"lang": "ar", "next": f"/j/{group.code}"})
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/j/{group.code}"
    assert "lang=ar" in switched.headers["set-cookie"]
    assert "Max-Age=31536000" in switched.headers["set-cookie"]

    again = phone.get(f"/j/{group.code}", headers={"accept-language": "fr"})
    assert 'dir="rtl"' in html_tag(again.text) and "اكتب فكرتك…" in again.text


def test_the_switcher_goes_back_only_to_this_site(world: World) -> None:
    phone = world.browser()
    away = phone.post("/language", {"lang": "es", "next": "//evil.example"})
    assert (away.status_code, away.headers["location"]) == (303, "/")
    assert 'lang="es"' in html_tag(phone.get("/").text)
    unknown = phone.post("/language", {"lang": "klingon", "next": "/"})
    assert "lang=" not in unknown.headers.get("set-cookie", "")
    assert 'lang="es"' in html_tag(phone.get("/").text)


@pytest.mark.parametrize(
    "path", ["/j/{code}", "/facilitator/groups/{id}", "/organiser/workshops/{wid}/control"]
)
def test_arabic_pages_are_right_to_left_and_french_ones_left_to_right(
    world: World, path: str
) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    group = workshop.groups[0]
    url = path.format(code=group.code, id=group.id, wid=workshop.id)
    for locale, direction in (("ar", "rtl"), ("fr", "ltr")):
        person = world.phone(group.code) if path.startswith("/j/") else world.logged_in(organiser)
        page = speaks(person, locale).get(url)
        assert page.status_code == 200
        assert f'lang="{locale}" dir="{direction}"' in html_tag(page.text)


# -- refusals and live fragments --------------------------------------------------------------


def test_a_refusal_reads_in_the_phones_language(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone = speaks(world.phone(group.code), "es")
    response = post_idea(phone, group.code, "   ")
    assert response.status_code == 400
    assert "Escribe algo primero." in text_of(response)


def test_placeholders_are_filled_after_translation(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone = speaks(world.phone(group.code), "fr")
    response = post_idea(phone, group.code, "x" * 20_000)
    assert response.status_code == 400
    assert re.search(r"Cela fait 20000 caractères ; la limite est de \d+\.", text_of(response))


def test_each_phone_gets_live_fragments_and_errors_in_its_own_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    renderer = world.client.app.state.services.rooms.renderer
    renders: list[tuple[str, str]] = []
    render = renderer.event

    async def counted(event: object, audience: str) -> object:
        renders.append((audience, i18n.current()))
        return await render(event, audience)

    monkeypatch.setattr(renderer, "event", counted)
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    french = speaks(world.phone(group.code), "fr")
    arabic = [speaks(world.phone(group.code), "ar") for _ in range(2)]
    with contextlib.ExitStack() as stack:
        f = Socket(stack.enter_context(connect(french, group.id)))
        a1, a2 = (Socket(stack.enter_context(connect(p, group.id))) for p in arabic)
        resets = [sock.until_type("reset")["ops"][0][2] for sock in (f, a1, a2)]
        assert "La vôtre pourrait être la première" in resets[0]
        assert "لا أفكار بعد" in resets[1]

        f.send({"type": "submit", "key": "key-fr-0001", "text": "Former les juges"})
        f.until_type("ack")
        frames = [sock.until_type("patch") for sock in (f, a1, a2)]
        # One render per language: the two Arabic phones get the very same bytes.
        assert frames[1] == frames[2] != frames[0]
        assert sorted(renders) == [("participant", "ar"), ("participant", "fr")]
        assert "Anonyme" in str(frames[0]) and "مجهول" in str(frames[1])

        a1.send({"type": "submit", "key": "key-ar-0001", "text": ""})
        error = a1.until_type("error")
        assert error["message"] == "يُرجى كتابة شيء أولًا."
        f.send({"type": "vote", "key": "key-fr-0002", "target": "idea", "target_id": 1})
        assert f.until_type("error")["message"] == "Le vote n'est pas ouvert pour le moment."


# -- the workshop's language: projector, exports, set-up file ---------------------------------


def set_language(world: World, workshop_id: int, locale: str) -> None:
    def txn(s: object) -> None:
        w = s.get(Workshop, workshop_id)  # type: ignore[attr-defined]
        w.language = locale
        s.add(w)  # type: ignore[attr-defined]

    world.db.write_sync(txn)


def test_the_organiser_sets_the_workshop_language_for_the_projector(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    browser = speaks(world.logged_in(organiser), "en")
    form = {"title": workshop.title, "date": "2026-11-27", "description": "", "language": "ar"}
    saved = browser.post(f"/organiser/workshops/{workshop.id}", form)
    assert saved.status_code == 303
    refused = browser.post(f"/organiser/workshops/{workshop.id}", {**form, "language": "tlh"})
    assert refused.status_code == 400 and "Choose one of these languages" in refused.text

    projector = browser.get(f"/facilitator/groups/{workshop.groups[0].id}/projector")
    assert 'lang="ar" dir="rtl"' in html_tag(projector.text)
    assert "رمز QR للانضمام إلى هذه المجموعة" in projector.text
    assert 'name="lang"' not in projector.text  # no switcher on a shared screen
    console = browser.get(f"/facilitator/groups/{workshop.groups[0].id}")
    assert 'lang="en"' in html_tag(console.text)  # the organiser still reads in English


def test_french_exports_have_french_headings(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    set_language(world, workshop.id, "fr")
    browser = speaks(world.logged_in(organiser), "en")  # whoever downloads it
    url = f"/organiser/workshops/{workshop.id}/export"

    md = browser.get(f"{url}/md").text
    for heading in ("## Synthèse", "## Recommandations finales", "### Thèmes",
                    "## Participation", "## Annexe : toutes les idées"):  # fmt: skip
        assert f"\n{heading}\n" in md
    assert "27 novembre 2026" in md

    docx = Document(io.BytesIO(browser.get(f"{url}/docx").content))
    headings = {
        p.text for p in docx.paragraphs if p.style is not None and "Heading" in p.style.name
    }
    assert {"Synthèse", "Recommandations finales", "Thèmes"} <= headings

    book = load_workbook(io.BytesIO(browser.get(f"{url}/xlsx").content))
    assert book.sheetnames == [
        "Idées", "Thèmes", "Votes", "Recommandations", "Recommandations finales", "Participation"
    ]  # fmt: skip
    assert [c.value for c in book["Idées"][1]][:4] == ["ID", "Groupe", "Texte", "Statut"]


def test_the_language_travels_in_the_setup_file_and_the_json_archive(world: World) -> None:
    text = "title: Atelier\nlanguage: es\ngroups:\n  - name: Uno\n    question: ¿Qué?\n"
    assert setup_file.parse(text).language == "es"
    with pytest.raises(setup_file.BadSetup, match=r"language: .*Choose one of these languages"):
        setup_file.parse(text.replace("language: es", "language: klingon"))

    organiser = world.organiser()
    workshop = world.workshop(organiser)
    set_language(world, workshop.id, "ar")
    assert "language: ar" in world.read(lambda s: setup_file.dump(s, workshop.id))
    browser = world.logged_in(organiser)
    archive = browser.get(f"/organiser/workshops/{workshop.id}/export/json").content
    assert data.from_json(archive).workshop.language == "ar"
    legacy = archive.replace(b'"language": "ar"', b'"language": "ar", "x": 1').replace(
        b',\n    "language": "ar", "x": 1', b""
    )
    assert data.from_json(legacy).workshop.language == "en"  # older files read as English


# -- plural forms, dates, numbers ---------------------------------------------------------------


def test_arabic_has_six_plural_forms() -> None:
    with i18n.using("ar"):
        forms = [
            i18n.ngettext("{n} idea", "{n} ideas", n).format(n=n) for n in (0, 1, 2, 3, 11, 100)
        ]
    assert forms == ["لا أفكار", "فكرة واحدة", "فكرتان", "3 أفكار", "11 فكرة", "100 فكرة"]
    with i18n.using("fr"):
        assert i18n.ngettext("{n} idea", "{n} ideas", 0).format(n=0) == "0 idée"
        assert i18n.ngettext("{n} idea", "{n} ideas", 2).format(n=2) == "2 idées"


def test_dates_and_numbers_follow_the_locale() -> None:
    day, moment = dt.date(2026, 11, 27), dt.datetime(2026, 11, 27, 14, 5)
    expected = {
        "en": ("27 Nov 2026", "14:05", "1,234.5"),
        "fr": ("27 nov. 2026", "14:05", "1\u202f234,5"),
        "es": ("27 nov 2026", "14:05", "1.234,5"),
    }
    for locale, (date, time, number) in expected.items():
        with i18n.using(locale):
            assert (i18n.format_date(day), i18n.format_time(moment)) == (date, time)
            assert i18n.format_number(1234.5, 1) == number
    with i18n.using("ar"):
        assert "نوفمبر" in i18n.format_date(day, "long")
