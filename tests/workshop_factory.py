"""A small but complete workshop built with the domain commands, as people would make it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from facilitator.domain import (
    accounts,
    clusters,
    ideas,
    moderation,
    participants,
    phases,
    recommendations,
    support,
    votes,
    workshop_views,
    workshops,
)
from facilitator.domain.access import get_group
from facilitator.domain.actors import Staff
from facilitator.domain.exports import read_snapshot
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role
from facilitator.snapshot import Snapshot
from facilitator.store.database import Database

PASSWORD = "correct horse battery"
LIMIT = 500


# Who acts on the group recommendation, then on the final one.
WHO_ACTS = ("Each department's security lead", "The regional CERT network")


@dataclass(frozen=True)
class Built:
    workshop_id: int
    group_ids: tuple[int, ...]
    hidden_text: str = "This one is off topic and gets hidden"


def fresh_db(tmp_path: Path, migrated_db: Path, name: str = "export.db") -> Database:
    path = tmp_path / name
    path.write_bytes(migrated_db.read_bytes())
    return Database(f"sqlite:///{path}")


@pytest.fixture
def db(tmp_path: Path, migrated_db: Path) -> Iterator[Database]:
    database = fresh_db(tmp_path, migrated_db)
    yield database
    database.close()


async def staff(db: Database, email: str, role: Role, name: str) -> Staff:
    uid = await accounts.create_user(db, email, PASSWORD, role, name)
    return Staff(uid, role, email, name)


async def appoint(db: Database, organiser: Staff, group_id: int, who: Staff) -> None:
    """Put `who` on a group as the app does: the organiser invites, they accept (with the
    password every test account has)."""
    workshop_id = await db.read(lambda s: get_group(s, group_id).workshop_id)
    token = await accounts.invite_facilitator(db, organiser, workshop_id, who.email, [group_id], 7)
    await accounts.accept_invitation(db, token, who.name, PASSWORD)


async def _build(db: Database, texts: list[str]) -> Built:
    olivia = await staff(db, "olivia@example.org", Role.organiser, "Olivia")
    fred = await staff(db, "fred@example.org", Role.facilitator, "Fred")
    wid = await workshops.create_workshop(
        db,
        olivia,
        "Cyber conference",
        "2026-11-27",
        "A day on security culture.",
        [GroupDraft("Phishing", "How do we stop phishing?"), GroupDraft("Passwords", "Why MFA?")],
    )
    view = await db.read(lambda s: workshop_views.workshop_view(s, wid))
    g1, g2 = (g.id for g in view.groups)
    await appoint(db, olivia, g1, fred)

    ada = await participants.join_group(db, "device-ada", g1)
    ada = await participants.set_display_name(db, ada, "Ada", 60)
    bob = await participants.join_group(db, "device-bob", g1)
    await participants.join_group(db, "device-cy", g1)  # joins, never writes: silent
    dee = await participants.join_group(db, "device-dee", g2)

    async def say(actor: object, gid: int, key: str, text: str) -> int:
        receipt = await ideas.submit_idea(db, actor, gid, key, text, LIMIT)  # type: ignore[arg-type]
        return receipt.idea_id

    training = await say(ada, g1, "key-ada-1", "Train staff with realistic simulations")
    drills = await say(bob, g1, "key-bob-1", "Run phishing drills every quarter")
    report = await say(ada, g1, "key-ada-2", "One button to report a suspicious mail")
    dup = await say(bob, g1, "key-bob-2", "Phishing drills each quarter")
    off = await say(bob, g1, "key-bob-3", Built(0, ()).hidden_text)
    await say(fred, g1, "key-fred-1", "Reward people who report")
    await ideas.edit_own_idea(db, ada, report, "A single button to report suspicious mail", LIMIT)
    await moderation.edit_idea(
        db, fred, training, "Train staff with realistic tests", "typo", LIMIT
    )
    await moderation.hide_idea(db, fred, off, "off topic")
    await moderation.merge_ideas(db, fred, dup, drills)
    await support.support_idea(db, bob, g1, report)  # "+1 that instead of sending mine"
    await support.support_idea(db, ada, g1, drills)
    extra = [await say(dee, g2, f"key-dee-{n:03d}", t) for n, t in enumerate(texts)]
    await say(dee, g2, "key-dee-mfa", "MFA everywhere, with hardware keys for admins")

    await phases.set_phase(db, fred, g1, "cluster")
    theme = await clusters.create_cluster(db, fred, g1, "Practice")
    await clusters.move_idea(db, fred, training, theme)
    await clusters.move_idea(db, fred, drills, theme)
    await phases.set_phase(db, fred, g1, "vote")
    await votes.cast_vote(db, ada, g1, "cluster", theme)
    await votes.cast_vote(db, ada, g1, "cluster", theme)
    await votes.cast_vote(db, bob, g1, "idea", report)
    await phases.set_phase(db, fred, g1, "recommend")
    draft = recommendations.check_draft(
        "Practise with realistic drills",
        "Quarterly simulations for all staff.",
        "Most dots.",
        WHO_ACTS[0],
    )
    rec = await recommendations.promote(db, fred, g1, "cluster", theme, draft)
    await recommendations.set_agreed(db, fred, rec, True)
    sources = [rec]
    if extra:
        sources.append(
            await recommendations.promote(
                db,
                olivia,
                g2,
                "idea",
                extra[0],
                recommendations.check_draft(texts[0][:200], "", ""),
            )
        )
    final = await recommendations.synthesise(
        db,
        olivia,
        wid,
        recommendations.check_draft(
            "Drill, and keep drilling", "Across the region.", "Both", WHO_ACTS[1]
        ),
        sources,
    )
    await recommendations.set_agreed(db, olivia, final, True)
    return Built(wid, (g1, g2))


def build(db: Database, texts: list[str] | None = None) -> Built:
    return asyncio.run(_build(db, texts or []))


def snapshot(db: Database, workshop_id: int, include_names: bool = False) -> Snapshot:
    return db.read_sync(lambda s: read_snapshot(s, workshop_id, include_names=include_names))
