"""Staff accounts: users, login sessions, password changes and facilitator invitations."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from facilitator import security
from facilitator.domain.access import get_group, require_organiser
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Conflict, Forbidden, Invalid, NotFound
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import (
    GroupFacilitator,
    Invitation,
    LoginSession,
    Role,
    User,
    Workshop,
    utcnow,
)
from facilitator.store.database import Database

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Refresh a session's last-seen time at most this often, so page views rarely write.
TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta


def check_email(raw: object) -> str:
    email = clean(raw, limit=254, multiline=False).lower()
    if not _EMAIL.match(email):
        raise Invalid(N_("Please enter a valid email address."))
    return email


def check_password(raw: object) -> str:
    if not isinstance(raw, str) or len(raw) < security.MIN_PASSWORD:
        raise Invalid(N_("Passwords need at least {n} characters."), n=security.MIN_PASSWORD)
    if len(raw) > security.MAX_PASSWORD:
        raise Invalid(N_("That password is too long."))
    return raw


def _staff(user: User) -> Staff:
    assert user.id is not None
    return Staff(id=user.id, role=Role(user.role), email=user.email, name=user.name)


async def create_user(db: Database, email: str, password: str, role: Role, name: str = "") -> int:
    """Create a staff account (from the CLI or an accepted invitation)."""
    email = check_email(email)
    password_hash = await asyncio.to_thread(security.hash_password, check_password(password))
    name = clean(name, limit=120, multiline=False, required=False)
    return await db.write(_create_user, email, name, password_hash, role)


def _create_user(s: Session, email: str, name: str, password_hash: str, role: Role) -> int:
    if s.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(N_("An account with that email already exists."))
    user = User(email=email, name=name, password_hash=password_hash, role=role)
    s.add(user)
    s.flush()
    assert user.id is not None
    return user.id


def _open_session(s: Session, user_id: int) -> str:
    token = security.new_token()
    s.add(LoginSession(token_hash=security.token_hash(token), user_id=user_id))
    return token


async def log_in(db: Database, email: str, password: str, previous: str | None = None) -> str:
    """Check the password and open a new session; `previous`, this browser's old session
    token, ends (sessions rotate at login). A hash made with older parameters is renewed."""
    refused = Invalid(N_("That email and password do not match an account."))
    if not isinstance(email, str) or not isinstance(password, str):
        raise refused
    email = email.strip().lower()

    def find(s: Session) -> tuple[int, str] | None:
        user = s.exec(select(User).where(User.email == email)).first()
        return (user.id, user.password_hash) if user and user.id else None

    found = await db.read(find)
    ok = await asyncio.to_thread(security.verify_password, found[1] if found else None, password)
    if not ok or found is None:
        raise refused
    user_id, stored = found
    renewed = None
    if security.needs_rehash(stored):
        renewed = await asyncio.to_thread(security.hash_password, password)
    return await db.write(_log_in, previous, renewed, user_id, stored)


def _log_in(
    s: Session, previous: str | None, renewed: str | None, user_id: int, stored: str
) -> str:
    if previous:
        s.execute(
            delete(LoginSession).where(
                col(LoginSession.token_hash) == security.token_hash(previous)
            )
        )
    if renewed is not None:
        user = s.get(User, user_id)
        if user is not None and user.password_hash == stored:
            user.password_hash = renewed
            s.add(user)
    return _open_session(s, user_id)


async def session_user(db: Database, token: str, policy: SessionPolicy) -> Staff | None:
    """The user behind a session token, or None when unknown, idle too long or too old."""
    digest = security.token_hash(token)

    def find(s: Session) -> tuple[Staff, bool] | None:
        row = s.get(LoginSession, digest)
        if row is None:
            return None
        now = utcnow()
        if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute:
            return None
        user = s.get(User, row.user_id)
        if user is None:
            return None
        return _staff(user), now - row.last_seen_at > TOUCH_EVERY

    found = await db.read(find)
    if found is None:
        return None
    staff, stale = found
    if stale:
        await db.write(_touch, digest)
    return staff


def _touch(s: Session, digest: str) -> None:
    row = s.get(LoginSession, digest)
    if row is not None:
        row.last_seen_at = utcnow()


def _end_sessions(s: Session, user_id: int) -> None:
    s.execute(delete(LoginSession).where(col(LoginSession.user_id) == user_id))


async def log_out(db: Database, actor: Staff) -> None:
    """End every session of this user, on every device."""
    await db.write(_end_sessions, actor.id)


async def change_password(db: Database, actor: Staff, current: str, new: str) -> str:
    """Set a new password, end every session, and return a fresh one for this browser."""
    new = check_password(new)
    stored = await db.read(lambda s: s.get(User, actor.id).password_hash)  # type: ignore[union-attr]
    if not await asyncio.to_thread(security.verify_password, stored, current or ""):
        raise Invalid(N_("Your current password is not right."))
    new_hash = await asyncio.to_thread(security.hash_password, new)
    return await db.write(_change_password, actor, new_hash)


# -- invitations ---------------------------------------------------------------------------


def _change_password(s: Session, actor: Staff, new_hash: str) -> str:
    user = s.get(User, actor.id)
    if user is None:
        raise NotFound(N_("That account no longer exists."))
    user.password_hash = new_hash
    s.add(user)
    _end_sessions(s, actor.id)
    return _open_session(s, actor.id)


@dataclass(frozen=True)
class InvitationView:
    email: str
    workshop_title: str
    group_names: list[str]
    has_account: bool


async def invite_facilitator(
    db: Database, actor: Staff, workshop_id: int, email: str, group_ids: list[int], days: float
) -> str:
    """Make a one-time link for `email` to facilitate `group_ids`; returns the token."""
    email = check_email(email)
    return await db.write(add_invitation, actor, workshop_id, email, group_ids, days)


def add_invitation(
    s: Session, actor: Staff, workshop_id: int, email: str, group_ids: list[int], days: float
) -> str:
    """The invitation, inside the caller's transaction (a workshop file makes several)."""
    token = security.new_token()
    require_organiser(s, actor, workshop_id)
    for gid in group_ids:
        if get_group(s, gid).workshop_id != workshop_id:
            raise Forbidden(N_("That group belongs to another workshop."))
    s.add(
        Invitation(
            token_hash=security.token_hash(token),
            email=email,
            workshop_id=workshop_id,
            group_ids=",".join(str(g) for g in sorted(set(group_ids))),
            invited_by=actor.id,
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    return token


def _open_invitation(s: Session, token: str) -> Invitation:
    inv = s.exec(
        select(Invitation).where(Invitation.token_hash == security.token_hash(token))
    ).first()
    if inv is None or inv.accepted_at is not None or inv.expires_at < utcnow():
        raise NotFound(
            N_("This invitation link is not valid any more. Ask the organiser for a new one.")
        )
    return inv


def _group_ids(inv: Invitation) -> list[int]:
    return [int(g) for g in inv.group_ids.split(",") if g]


async def invitation(db: Database, token: str) -> InvitationView:
    def read(s: Session) -> InvitationView:
        inv = _open_invitation(s, token)
        workshop = s.get(Workshop, inv.workshop_id)
        names = [get_group(s, gid).name for gid in _group_ids(inv)]
        exists = s.exec(select(User).where(User.email == inv.email)).first() is not None
        return InvitationView(inv.email, workshop.title if workshop else "", names, exists)

    return await db.read(read)


async def accept_invitation(db: Database, token: str, name: str, password: str) -> str:
    """Set the password (new account) or check it (existing one), take the groups, log in."""
    view = await invitation(db, token)
    password = check_password(password)
    name = clean(name, limit=120, multiline=False, required=False)
    if view.has_account:
        stored = await db.read(
            lambda s: s.exec(select(User.password_hash).where(User.email == view.email)).one()
        )
        if not await asyncio.to_thread(security.verify_password, stored, password):
            raise Invalid(
                N_("That is not the password of the account for {email}."), email=view.email
            )
        new_hash = None
    else:
        new_hash = await asyncio.to_thread(security.hash_password, password)
    return await db.write(_accept_invitation, token, new_hash, name)


def _accept_invitation(s: Session, token: str, new_hash: str | None, name: str) -> str:
    inv = _open_invitation(s, token)  # again, inside the write: one use only
    user = s.exec(select(User).where(User.email == inv.email)).first()
    if user is None:
        assert new_hash is not None
        user = User(email=inv.email, name=name, password_hash=new_hash, role=Role.facilitator)
        s.add(user)
        s.flush()
    assert user.id is not None
    for gid in _group_ids(inv):
        if s.get(GroupFacilitator, (gid, user.id)) is None:
            s.add(GroupFacilitator(group_id=gid, user_id=user.id))
    inv.accepted_at = utcnow()
    s.add(inv)
    return _open_session(s, user.id)
