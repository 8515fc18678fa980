"""The organiser's questions page and the phone's form: the baseline on joining, answers sent
and changed, bad forms refused with a message and nothing changed (issue #24)."""

from __future__ import annotations

import re

import orjson
from sqlmodel import select

from facilitator.models import Answer, Question
from tests.conftest import Person, World

SCALE = {
    "action": "add",
    "kind": "scale",
    "text": "How confident are you?",
    "scale": "1-5",
    "low_label": "Not at all",
    "high_label": "Fully",
    "moments": ["joining", "event"],
}
CHOICE = {
    "action": "add",
    "kind": "multiple",
    "text": "Which topics matter?",
    "choices": "Phishing\nPasswords\nBackups",
    "moments": ["joining"],
}


def ready(world: World) -> tuple[Person, str, int, str]:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    olivia = world.logged_in(organiser)
    url = f"/organiser/workshops/{workshop.id}/questions"
    for form in (SCALE, CHOICE):
        assert olivia.post(url, form).status_code == 303
    return olivia, url, workshop.id, workshop.groups[0].code


def answers(world: World) -> list[tuple[int, str, object]]:
    rows = world.read(lambda s: s.exec(select(Answer)).all())
    return sorted((a.participant_id, a.moment, orjson.loads(a.value)) for a in rows)


def ids(world: World) -> list[int]:
    return [q.id for q in world.read(lambda s: s.exec(select(Question)).all()) if q.id]


def test_a_new_phone_answers_the_baseline_first_then_changes_its_answers(world: World) -> None:
    olivia, url, _, code = ready(world)
    page = olivia.get(url).text
    assert "How confident are you?" in page and "Which topics matter?" in page
    phone = world.browser()
    first = phone.get(f"/j/{code}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"/j/{code}/questions/joining"
    form = phone.get(first.headers["location"]).text
    assert 'type="radio" name="q' in form and 'type="checkbox" name="q' in form
    confident, topics = ids(world)
    sent = phone.post(
        f"/j/{code}/questions/joining",
        {f"q{confident}": "4", f"q{topics}": ["0", "2"], f"manyq{topics}": "1"},
    )
    assert sent.status_code == 303
    board = phone.get(sent.headers["location"]).text
    assert "your answers are saved" in board and "Change your answers" in board
    # Changed: one answer replaced, one skipped (taken back); still one row each at most.
    phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "2", f"manyq{topics}": "1"})
    assert [(m, v) for _, m, v in answers(world)] == [("joining", 2)]
    again = phone.get(f"/j/{code}/questions/joining").text
    assert re.search(rf'name="q{confident}" value="2" checked', again)
    # A phone that has joined before is not sent to the questions again.
    assert phone.get(f"/j/{code}", follow_redirects=False).status_code == 200


def test_bad_answers_and_closed_moments_are_refused_on_the_page(world: World) -> None:
    olivia, url, _, code = ready(world)
    phone = world.browser()
    phone.get(f"/j/{code}")
    confident, _ = ids(world)
    phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "3"})
    out_of_range = phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "9"})
    assert out_of_range.status_code == 400
    assert "choose a number from 1 to 5" in out_of_range.text
    not_asked = phone.post(f"/j/{code}/questions/joining", {"q999999": "1"})
    assert not_asked.status_code == 404
    assert olivia.post(url, {"action": "close", "moment": "joining"}).status_code == 303
    closed = phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "5"})
    assert closed.status_code == 409 and "closed" in closed.text
    assert [(m, v) for _, m, v in answers(world)] == [("joining", 3)]
    # Adding a question to the answered moment is refused, and the form keeps what was typed.
    late = olivia.post(url, {**SCALE, "text": "Asked too late?", "moments": ["joining"]})
    assert late.status_code == 409 and "Asked too late?" in late.text
    assert len(ids(world)) == 2
    # A phone without the device cookie, and someone else's workshop, are refused.
    assert world.browser().get(f"/j/{code}/questions/joining").status_code == 403


NOT_OPEN_YET = {
    "en": "These questions are not open yet.",
    "fr": "Ces questions ne sont pas encore ouvertes.",
    "es": "Estas preguntas aún no están abiertas.",
    "ar": "هذه الأسئلة غير مفتوحة بعد.",
}


def test_a_moment_not_open_yet_says_so_plainly_in_every_language(world: World) -> None:
    olivia, url, _, code = ready(world)
    confident, _ = ids(world)
    phone = world.browser()
    phone.get(f"/j/{code}")
    for lang, words in NOT_OPEN_YET.items():
        page = phone.get(f"/j/{code}/questions/event", headers={"accept-language": lang})
        assert page.status_code == 200 and words in page.text, lang
        assert "<form" not in page.text.split("<main", 1)[1].split("</main>")[0]
    refused = phone.post(f"/j/{code}/questions/event", {f"q{confident}": "4"})
    assert refused.status_code == 409 and NOT_OPEN_YET["en"] in refused.text
    assert answers(world) == []
    # Opened, the same address shows the form; a moment that asks nothing says so.
    olivia.post(url, {"action": "open", "moment": "event"})
    assert f'name="q{confident}"' in phone.get(f"/j/{code}/questions/event").text
    olivia.post(url, {"action": "open", "moment": "round"})
    assert "no questions to answer here" in phone.get(f"/j/{code}/questions/round").text


def test_the_organiser_form_refuses_a_bad_question_and_others_cannot_use_it(
    world: World,
) -> None:
    olivia, url, _, _ = ready(world)
    bad = olivia.post(url, {**CHOICE, "choices": "Only one"})
    assert bad.status_code == 400 and "between 2 and 8" in bad.text
    no_labels = olivia.post(url, {**SCALE, "low_label": ""})
    assert no_labels.status_code == 400 and "label at each end" in no_labels.text
    assert len(ids(world)) == 2
    other = world.logged_in(world.organiser("oscar@example.org"))
    assert other.post(url, SCALE).status_code == 403
    assert other.get(url).status_code == 403
    assert len(ids(world)) == 2
    assert olivia.post(url, {"action": "open", "moment": "event"}).status_code == 303
    row = re.search(r'<tr id="moment-event">(.*?)</tr>', olivia.get(url).text, re.S)
    assert row and "Open now" in row.group(1)


def test_mission_control_and_the_projector_show_the_change_from_the_baseline(
    world: World,
) -> None:
    olivia, url, workshop_id, code = ready(world)
    confident, _ = ids(world)
    phones = [world.browser() for _ in range(3)]
    for n, phone in enumerate(phones):
        phone.get(f"/j/{code}")
        phone.post(f"/j/{code}/questions/joining", {f"q{confident}": str(n + 1)})
    olivia.post(url, {"action": "open", "moment": "event"})
    for n, phone in enumerate(phones):
        phone.post(f"/j/{code}/questions/event", {f"q{confident}": str(n + 3)})
    control = olivia.get(f"/organiser/workshops/{workshop_id}/control").text
    section = control[control.index('id="impact-results"') :]
    assert "How confident are you?" in section
    assert "n = 3" in section and "mean 2.0" in section and "mean 4.0" in section
    assert "+2.00" in section  # each phone moved up by two: the interval is 2 to 2
    projector = olivia.get(f"{url}/projector")
    assert projector.status_code == 200 and "+2.00" in projector.text
    assert world.phone(code).get(f"{url}/projector", follow_redirects=False).status_code == 303


def test_a_follow_up_link_asks_again_pairs_with_the_baseline_and_serves_one_device(
    world: World,
) -> None:
    olivia, url, _, code = ready(world)
    confident, _ = ids(world)
    followup = {**SCALE, "text": "Confident now?", "moments": ["joining", "followup"]}
    olivia.post(url, followup)
    later = max(ids(world))
    phone = world.browser()
    phone.get(f"/j/{code}")
    phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "2", f"q{later}": "2"})
    made = olivia.post(url, {"action": "links", "count": "2"})
    links = re.findall(r"http://testserver(/f/[\w-]+)", made.text)
    assert made.status_code == 200 and len(links) == 2
    assert olivia.post(url, {"action": "links", "count": "0"}).status_code == 400
    waiting = phone.get(links[0])
    assert waiting.status_code == 200 and "not open yet" in waiting.text
    olivia.post(url, {"action": "open", "moment": "followup"})
    assert f'name="q{later}"' in phone.get(links[0]).text
    sent = phone.post(links[0], {f"q{later}": "5"})
    assert sent.status_code == 200 and "your answers are saved" in sent.text
    # The same device again replaces; another device with the same link is refused.
    phone.post(links[0], {f"q{later}": "4"})
    stranger = world.browser()
    refused = stranger.get(links[0])
    assert refused.status_code == 409 and "another device" in refused.text
    assert stranger.post(links[0], {f"q{later}": "1"}).status_code in (403, 409)
    # A new person on a fresh link answers as a new participant, without a group.
    assert world.browser().post(links[1], {}).status_code == 403  # no device cookie yet
    answered = [(m, v) for _, m, v in answers(world)]
    assert sorted(answered, key=str) == sorted(
        [("joining", 2), ("joining", 2), ("followup", 4)], key=str
    )
    # The follow-up answer pairs with the same device's baseline: +2 on that question.
    assert "+2.00" in olivia.get(f"{url}/projector").text
    assert world.browser().get("/f/not-a-link").status_code == 404


def test_the_answers_csv_is_anonymous_and_safe_in_a_spreadsheet(world: World) -> None:
    olivia, url, _, code = ready(world)
    confident, topics = ids(world)
    wish = {"action": "add", "kind": "text", "text": "One wish?", "moments": ["joining"]}
    olivia.post(url, wish)
    wish_id = max(ids(world))
    phone = world.browser()
    phone.get(f"/j/{code}")
    phone.post(f"/j/{code}/name", {"name": "Zelda Unique"})
    phone.post(
        f"/j/{code}/questions/joining",
        {
            f"q{confident}": "4",
            f"q{topics}": ["0", "2"],
            f"manyq{topics}": "1",
            f"q{wish_id}": "=HYPERLINK(1)",
        },
    )
    olivia.post(url, {"action": "open", "moment": "event"})
    phone.post(f"/j/{code}/questions/event", {f"q{confident}": "5"})
    response = olivia.get(f"{url}/answers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Zelda" not in text and "Group 1" not in text
    lines = text.strip().split("\r\n")
    assert lines[0] == '"device","moment","question","question_text","kind","answer"'
    assert '"Phishing; Backups"' in text and '"\'=HYPERLINK(1)"' in text
    devices = {line.split(",")[0] for line in lines[1:]}
    assert len(lines) == 5 and len(devices) == 1  # one device, the same pseudonym throughout
    assert next(iter(devices)).startswith('"d-')
    other = world.logged_in(world.organiser("oscar@example.org"))
    assert other.get(f"{url}/answers.csv").status_code == 403


def test_the_results_fragment_answers_only_when_something_changed(world: World) -> None:
    olivia, url, _, code = ready(world)
    confident, _ = ids(world)
    first = olivia.get(f"{url}/results")
    version = re.search(r'data-version="(\d+)"', first.text)
    assert first.status_code == 200 and version and 'id="impact-results"' in first.text
    assert olivia.get(f"{url}/results?since={version[1]}").status_code == 204
    phone = world.browser()
    phone.get(f"/j/{code}")
    phone.post(f"/j/{code}/questions/joining", {f"q{confident}": "4"})
    moved = olivia.get(f"{url}/results?since={version[1]}")
    assert moved.status_code == 200 and "n = 1" in moved.text and "mean 4.0" in moved.text
    newer = re.search(r'data-version="(\d+)"', moved.text)
    assert newer and int(newer[1]) > int(version[1])
    assert olivia.get(f"{url}/results?since=nonsense").status_code == 200
    other = world.logged_in(world.organiser("oscar@example.org"))
    assert other.get(f"{url}/results").status_code == 403
    assert phone.get(f"{url}/results", follow_redirects=False).status_code == 303
