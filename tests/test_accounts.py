"""Staff accounts: log in and out everywhere, change passwords, accept invitations, and the
pages each role may open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import col

from facilitator.domain import accounts, workshop_views
from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.models import GroupFacilitator, LoginSession, Role, User, Workshop
from facilitator.web.auth import SESSION_COOKIE
from tests.conftest import PASSWORD, Person, World
from tests.support import (
    database_rows,
    redirects_to_login,
    refusal,
    rows,
    shared_workshop,
    text_of,
)

NEW_PASSWORD = "a brand new passphrase"
INVITE_LINK = re.compile(r'value="http://testserver/invite/([^"]+)"')
INVITATION_GONE = "This invitation link is not valid any more. Ask the organiser for a new one."


def logged_in(person: Person) -> bool:
    """Whether this browser's session still opens a staff page."""
    response = person.get("/account", follow_redirects=False)
    if response.status_code == 303:
        redirects_to_login(response, "/account")
        return False
    assert response.status_code == 200
    return True


def log_in(person: Person, email: str, password: str, then: str = "") -> Any:
    return person.post("/login", {"email": email, "password": password, "next": then})


def sessions_of(world: World, staff: Staff) -> int:
    return len(rows(world, LoginSession, col(LoginSession.user_id) == staff.id))


# -- logging in and out ---------------------------------------------------------------------


def test_the_right_password_logs_in_and_a_wrong_one_does_not(world: World) -> None:
    organiser = world.organiser()
    browser = world.browser()
    for email, password in [
        (organiser.email, "not the password"),
        ("nobody@example.org", PASSWORD),
        (organiser.email, ""),
    ]:
        wrong = log_in(browser, email, password)
        refusal(wrong, 400, "That email and password do not match an account.")
        assert SESSION_COOKIE not in wrong.cookies
        assert not logged_in(browser)
    assert sessions_of(world, organiser) == 0

    right = log_in(browser, organiser.email.upper(), PASSWORD)
    assert right.headers["location"] == "/organiser"
    assert SESSION_COOKIE in right.cookies
    assert logged_in(browser)


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(world: World) -> None:
    facilitator = world.staff("fiona@example.org")
    back = log_in(world.browser(), facilitator.email, PASSWORD, then="/account")
    assert back.headers["location"] == "/account"
    away = log_in(world.browser(), facilitator.email, PASSWORD, then="//evil.example/x")
    assert away.headers["location"] == "/facilitator"


def test_logging_out_ends_every_session_of_that_user(world: World) -> None:
    organiser = world.organiser()
    laptop, phone = world.logged_in(organiser), world.logged_in(organiser)
    colleague = world.logged_in(world.staff("fiona@example.org"))
    assert logged_in(laptop) and logged_in(phone)

    out = laptop.post("/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert not logged_in(laptop)
    assert not logged_in(phone)
    assert sessions_of(world, organiser) == 0
    assert logged_in(colleague)  # someone else's sessions are theirs


# -- passwords ------------------------------------------------------------------------------


def change_password(person: Person, current: str, new: str) -> Any:
    return person.post("/account/password", {"current": current, "new": new})


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(world: World) -> None:
    facilitator = world.staff("fiona@example.org")
    here, elsewhere = world.logged_in(facilitator), world.logged_in(facilitator)
    old_token = here.http.cookies[SESSION_COOKIE]

    changed = change_password(here, PASSWORD, NEW_PASSWORD)
    assert changed.headers["location"] == "/account?done=1"
    assert here.http.cookies[SESSION_COOKIE] != old_token  # a fresh session for this browser
    assert logged_in(here)
    assert not logged_in(elsewhere)
    assert sessions_of(world, facilitator) == 1

    assert log_in(world.browser(), facilitator.email, PASSWORD).status_code == 400
    assert log_in(world.browser(), facilitator.email, NEW_PASSWORD).status_code == 303


def test_a_refused_password_change_changes_nothing(world: World, subtests: pytest.Subtests) -> None:
    facilitator = world.staff("fiona@example.org")
    here, elsewhere = world.logged_in(facilitator), world.logged_in(facilitator)
    short = "Passwords need at least 10 characters."
    refusals = {
        "wrong current password": (
            "not my password",
            NEW_PASSWORD,
            "Your current password is not right.",
        ),
        "short new password": (PASSWORD, "too short", short),
        "empty new password": (PASSWORD, "", short),
    }
    for case, (current, new, message) in refusals.items():
        with subtests.test(case):
            refusal(change_password(here, current, new), 400, message)
            assert logged_in(here) and logged_in(elsewhere)
    assert log_in(world.browser(), facilitator.email, PASSWORD).status_code == 303


# -- invitations ----------------------------------------------------------------------------


def invite(organiser: Person, workshop: WorkshopView, email: str, *groups: GroupView) -> str:
    """Make an invitation on the workshop page; return the token of its one-time link."""
    page = organiser.post(
        f"/organiser/workshops/{workshop.id}/invitations",
        {"email": email, "group": [g.id for g in groups]},
    )
    assert page.status_code == 200, page.text
    match = INVITE_LINK.search(page.text)
    assert match, "no invitation link on the page"
    return match.group(1)


def opens(person: Person, group: GroupView) -> int:
    return int(person.get(f"/facilitator/groups/{group.id}", follow_redirects=False).status_code)


def test_a_stranger_accepts_an_invitation_and_facilitates_only_those_groups(
    world: World,
) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=3)
    first, second, third = workshop.groups
    token = invite(world.logged_in(organiser), workshop, "Fatima@Example.org", first, second)

    stranger = world.browser()
    offer = stranger.get(f"/invite/{token}")
    assert offer.status_code == 200
    for shown in [workshop.title, first.name, second.name, "fatima@example.org"]:
        assert shown in offer.text
    accepted = stranger.post(f"/invite/{token}", {"name": "Fatima", "password": NEW_PASSWORD})
    assert accepted.headers["location"] == "/facilitator"

    (user,) = rows(world, User, col(User.email) == "fatima@example.org")
    assert (user.name, user.role) == ("Fatima", Role.facilitator)
    assert [opens(stranger, g) for g in (first, second, third)] == [200, 200, 403]
    refusal(
        stranger.get(f"/facilitator/groups/{third.id}"),
        403,
        "Only this group's facilitators can do that.",
    )
    assert log_in(world.browser(), "fatima@example.org", NEW_PASSWORD).status_code == 303

    # The link works once.
    users = len(rows(world, User))
    late = world.browser()
    refusal(late.get(f"/invite/{token}"), 404, INVITATION_GONE)
    second_use = late.post(f"/invite/{token}", {"name": "Mallory", "password": "mallory's pass"})
    refusal(second_use, 404, INVITATION_GONE)
    assert len(rows(world, User)) == users
    assert not logged_in(late)


def test_expired_and_unknown_invitations_get_a_friendly_page(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    expired = world.run(
        accounts.invite_facilitator,
        world.db,
        organiser,
        workshop.id,
        "late@example.org",
        [workshop.groups[0].id],
        -1,
    )
    stranger = world.browser()
    for token in [expired, "no-such-invitation", "x" * 500]:
        refusal(stranger.get(f"/invite/{token}"), 404, INVITATION_GONE)
        attempt = stranger.post(f"/invite/{token}", {"name": "Late", "password": NEW_PASSWORD})
        refusal(attempt, 404, INVITATION_GONE)
    assert rows(world, User, col(User.email) == "late@example.org") == []


def test_an_invitation_for_an_existing_account_needs_its_password(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    group = workshop.groups[0]
    fred = world.staff("fred@example.org", name="Fred")
    token = invite(world.logged_in(organiser), workshop, fred.email, group)

    someone = world.browser()
    assert "Your password" in someone.get(f"/invite/{token}").text
    wrong = someone.post(f"/invite/{token}", {"name": "Not Fred", "password": NEW_PASSWORD})
    refusal(wrong, 400, "That is not the password of the account for fred@example.org.")
    assert not logged_in(someone)
    assert rows(world, GroupFacilitator) == []

    accepted = someone.post(f"/invite/{token}", {"password": PASSWORD})
    assert accepted.headers["location"] == "/facilitator"
    assert opens(someone, group) == 200
    (user,) = rows(world, User, col(User.email) == fred.email)
    assert user.name == "Fred"  # the account is the same, not renamed


def test_an_organiser_sees_and_assigns_only_the_staff_of_their_own_workshop(
    world: World,
) -> None:
    olivia = world.organiser()
    mine = world.workshop(olivia)
    oscar = world.organiser("oscar@example.org")
    theirs = world.workshop(oscar, title="Another conference")
    bravo = world.staff("bravo@example.org", name="Bravo Facilitator")
    world.appoint(oscar, theirs.groups[0].id, bravo)
    fiona = world.staff("fiona@example.org", name="Fiona")
    world.appoint(olivia, mine.groups[0].id, fiona)
    office = world.logged_in(olivia)

    page = office.get(f"/organiser/workshops/{mine.id}").text
    assert "fiona@example.org" in page
    assert "bravo" not in page.lower() and "oscar@example.org" not in page
    url = f"/organiser/workshops/{mine.id}/assignments"
    before = database_rows(world)
    taken = office.post(url, {"group": mine.groups[1].id, "user": bravo.id, "assigned": "1"})
    refusal(taken, 400, "Only people who already work on this workshop can be assigned directly.")
    assert database_rows(world) == before  # nothing appears on Bravo's page, unasked
    # Someone of this workshop moves to another of its groups directly.
    moved = office.post(url, {"group": mine.groups[1].id, "user": fiona.id, "assigned": "1"})
    assert moved.status_code == 303
    assert len(rows(world, GroupFacilitator, col(GroupFacilitator.user_id) == fiona.id)) == 2


def test_an_account_joins_another_workshop_by_accepting_an_invitation(world: World) -> None:
    olivia = world.organiser()
    mine = world.workshop(olivia)
    oscar = world.organiser("oscar@example.org")
    bravo = world.staff("bravo@example.org", name="Bravo Facilitator")
    world.appoint(oscar, world.workshop(oscar, title="Another").groups[0].id, bravo)
    office = world.logged_in(olivia)
    token = invite(office, mine, bravo.email, mine.groups[1])
    assert rows(world, GroupFacilitator, col(GroupFacilitator.group_id) == mine.groups[1].id) == []
    accepted = world.browser().post(f"/invite/{token}", {"password": PASSWORD})
    assert accepted.headers["location"] == "/facilitator"
    links = rows(world, GroupFacilitator, col(GroupFacilitator.user_id) == bravo.id)
    assert mine.groups[1].id in {link.group_id for link in links}
    assert "bravo@example.org" in office.get(f"/organiser/workshops/{mine.id}").text


def test_an_invitation_needs_a_long_enough_password_and_a_valid_email(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    browser = world.logged_in(organiser)
    token = invite(browser, workshop, "new@example.org", workshop.groups[0])
    short = world.browser().post(f"/invite/{token}", {"name": "New", "password": "short"})
    refusal(short, 400, "Passwords need at least 10 characters.")
    assert rows(world, User, col(User.email) == "new@example.org") == []
    assert world.browser().get(f"/invite/{token}").status_code == 200  # still usable

    bad = browser.post(
        f"/organiser/workshops/{workshop.id}/invitations",
        {"email": "not an email", "group": [workshop.groups[0].id]},
    )
    refusal(bad, 400, "Please enter a valid email address.")


# -- who may open which staff page ----------------------------------------------------------


def staff_paths(workshop: WorkshopView) -> list[str]:
    group = workshop.groups[0]
    return [
        "/facilitator",
        f"/facilitator/groups/{group.id}",
        "/organiser",
        f"/organiser/workshops/{workshop.id}",
        "/account",
    ]


def test_strangers_are_sent_to_log_in(world: World, subtests: pytest.Subtests) -> None:
    workshop = shared_workshop(world)
    stranger = world.browser()
    for path in staff_paths(workshop):
        with subtests.test(path):
            redirects_to_login(stranger.get(path, follow_redirects=False), path)


def test_a_facilitator_opens_their_group_only_and_no_organiser_page(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    mine, other = workshop.groups
    fiona = world.staff("fiona@example.org")
    world.appoint(organiser, mine.id, fiona)
    browser = world.logged_in(fiona)

    assert mine.name in browser.get("/facilitator").text
    assert other.name not in browser.get("/facilitator").text
    assert opens(browser, mine) == 200
    refusal(
        browser.get(f"/facilitator/groups/{other.id}"),
        403,
        "Only this group's facilitators can do that.",
    )
    for path in ["/organiser", f"/organiser/workshops/{workshop.id}"]:
        refusal(browser.get(path), 403, "This page is for organisers.")
    created = browser.post("/organiser/workshops", {"title": "Mine", "groups": "A | B?"})
    refusal(created, 403, "This page is for organisers.")
    assert len(rows(world, Workshop)) == 1


def test_an_organiser_cannot_open_or_change_another_organisers_workshop(world: World) -> None:
    olivia = world.organiser()
    mine = world.workshop(olivia, title="Olivia's workshop")
    theirs = world.workshop(world.organiser("oscar@example.org"), title="Oscar's workshop")
    browser = world.logged_in(olivia)

    assert browser.get(f"/organiser/workshops/{mine.id}").status_code == 200
    assert opens(browser, mine.groups[0]) == 200  # organisers facilitate their own groups
    not_theirs = "Only this workshop's organisers can do that."
    refusal(browser.get(f"/organiser/workshops/{theirs.id}"), 403, not_theirs)
    assert opens(browser, theirs.groups[0]) == 403
    renamed = browser.post(f"/organiser/workshops/{theirs.id}", {"title": "Taken over"})
    refusal(renamed, 403, not_theirs)
    group = theirs.groups[0]
    edited = browser.post(f"/organiser/groups/{group.id}", {"name": "Mine", "prompt": "Mine?"})
    refusal(edited, 403, "Only this group's facilitators can do that.")
    removed = browser.post(f"/organiser/groups/{group.id}/delete")
    refusal(removed, 403, "Only this group's facilitators can do that.")

    assert world.read(lambda s: workshop_views.workshop_view(s, theirs.id)) == theirs
    dashboard = text_of(browser.get("/organiser"))
    assert "Olivia's workshop" in dashboard
    assert "Oscar's workshop" not in dashboard
