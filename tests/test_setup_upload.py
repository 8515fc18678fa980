"""The organiser uploads a workshop set-up file on the dashboard: all of it, or nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlmodel import select

from facilitator.models import Group, Workshop
from tests.conftest import World
from tests.support import database_rows
from tests.test_setup_file import laughs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "workshop.yaml"


def upload(world: World, person: object, name: str, body: bytes) -> object:
    return person.http.post(  # type: ignore[attr-defined]
        f"/organiser/workshops/upload?csrf={person.csrf()}",  # type: ignore[attr-defined]
        files={"file": (name, body, "text/yaml")},
        follow_redirects=False,
    )


def test_the_example_file_uploads_into_a_workshop(world: World) -> None:
    office = world.logged_in(world.organiser())
    response = upload(world, office, "workshop.yaml", EXAMPLE.read_bytes())
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert "Imported" in response.text  # type: ignore[attr-defined]
    (workshop,) = world.read(lambda s: s.exec(select(Workshop)).all())
    groups = world.read(lambda s: s.exec(select(Group)).all())
    assert len(groups) == 6 and all(g.workshop_id == workshop.id for g in groups)


def test_a_bad_file_names_its_line_and_creates_nothing(world: World) -> None:
    office = world.logged_in(world.organiser())
    bad = b"title: Broken\ngroups:\n  - name: One\n    question: Why?\n    vote_budget: lots\n"
    response = upload(world, office, "bad.yaml", bad)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "line 5" in response.text and "vote_budget" in response.text  # type: ignore[attr-defined]
    assert world.read(lambda s: s.exec(select(Workshop)).all()) == []
    not_text = upload(world, office, "bin.yaml", b"\xff\xfe\x00")
    assert not_text.status_code == 400 and "UTF-8" in not_text.text  # type: ignore[attr-defined]


def test_a_bad_file_is_explained_in_the_organisers_language(world: World) -> None:
    office = world.logged_in(world.organiser())
    office.http.cookies.set("lang", "fr")  # type: ignore[attr-defined]
    bad = b"title: Broken\ngroups:\n  - name: One\n    vote_budget: lots\n    colour: red\n"
    response = upload(world, office, "bad.yaml", bad)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "ligne 4: groups[0].vote_budget: Il faut un nombre entier." in text
    assert "ligne 3: groups[0].question: Ce champ est obligatoire." in text
    assert "ligne 5: groups[0].colour: Cette clé n’est pas connue ici." in text
    assert "Input should be" not in text and "Field required" not in text


def test_a_bomb_is_refused_in_the_organisers_language_and_creates_nothing(world: World) -> None:
    office = world.logged_in(world.organiser())
    office.http.cookies.set("lang", "fr")
    before = database_rows(world)
    response = upload(world, office, "bomb.yaml", laughs(7).encode())
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Ce fichier contient plus de 20000 valeurs" in response.text  # type: ignore[attr-defined]
    assert database_rows(world) == before


def test_the_server_answers_others_while_it_reads_a_large_file(world: World) -> None:
    """The file is read off the event loop: /healthz answers at once meanwhile."""
    office = world.logged_in(world.organiser())
    items = "".join(f"  - {'y' * 50}\n" for _ in range(18_000))  # 1 MB, within the budgets
    body = f"title: Large\ngroups:\n{items}".encode()
    done, answered = threading.Event(), []

    def send() -> None:
        upload(world, office, "large.yaml", body)
        done.set()

    sender = threading.Thread(target=send)
    began = time.perf_counter()
    sender.start()
    probe = world.browser()
    while not done.is_set():
        started = time.perf_counter()
        assert probe.get("/healthz").status_code == 200
        answered.append(time.perf_counter() - started)
    sender.join()
    took = time.perf_counter() - began
    # On the event loop, one health check would wait for the whole reading. Relative bounds,
    # as the machine may be busy: the figures here are ~20 ms against ~1 s.
    assert len(answered) >= 3, (took, answered)
    assert max(answered) < took / 2, (took, sorted(answered)[-3:])


def test_the_dashboard_offers_the_example_file_which_uploads_as_it_is(world: World) -> None:
    """Issue #22, item 8: a pip install has no examples/ folder, so the app serves it."""
    office = world.logged_in(world.organiser())
    dashboard = office.get("/organiser").text
    assert 'href="/organiser/example-setup.yaml"' in dashboard
    example = office.get("/organiser/example-setup.yaml")
    assert example.status_code == 200
    assert example.headers["content-disposition"] == 'attachment; filename="workshop.yaml"'
    assert example.content == EXAMPLE.read_bytes()
    response = upload(world, office, "workshop.yaml", example.content)
    assert "Imported" in response.text  # type: ignore[attr-defined]
    facilitator = world.logged_in(world.staff("fac@example.org"))
    assert facilitator.get("/organiser/example-setup.yaml").status_code == 403
