"""Create a benchmark workshop in a data directory and print its groups as JSON.

    python -m bench.setup --data-dir /tmp/bench-app --groups 125
    python -m bench.setup --database-url postgresql+psycopg://postgres@127.0.0.1/db --groups 250

It goes through the package's own domain functions (migrations, create_user, create_workshop),
so the benchmark database is exactly what `facilitator serve` would see in production.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import secrets
from pathlib import Path
from typing import Any

from facilitator.config import Settings
from facilitator.domain import (
    accounts,
    clusters,
    plenary,
    recommendations,
    workshop_views,
    workshops,
)
from facilitator.domain.actors import Staff
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role
from facilitator.store import migrate
from facilitator.store.database import Database

MAX_GROUPS = workshops.MAX_GROUPS  # per workshop; larger runs get several workshops
MAX_TOTAL = 1000  # 40,000 phones at 40 a group


async def _plenary(db: Database, organiser: Staff, workshop_id: int, finals: int) -> list[int]:
    """An open plenary vote on `finals` final recommendations (dots: 5, at most 3 on one),
    each synthesised from one group recommendation made from an empty theme (no ideas, so
    the run's idea counts stay the phones')."""
    view = db.read_sync(functools.partial(workshop_views.workshop_view, workshop_id=workshop_id))
    group = view.groups[0].id
    theme = await clusters.create_cluster(db, organiser, group, "Plenary")
    draft = recommendations.check_draft("Plenary source", "", "")
    source = await recommendations.promote(db, organiser, group, "cluster", theme, draft)
    items = []
    for n in range(1, finals + 1):
        draft = recommendations.check_draft(f"Final recommendation {n}", "", "")
        rec = await recommendations.synthesise(db, organiser, workshop_id, draft, [source])
        await recommendations.set_agreed(db, organiser, rec, True)
        items.append(rec)
    await plenary.set_up(db, organiser, workshop_id, plenary.check_setup("dots", 5, 3, items))
    await plenary.open_vote(db, organiser, workshop_id, None)
    return items


async def _create(database_url: str, groups: int, finals: int = 0) -> dict[str, Any]:
    db = Database(database_url)
    try:
        email = f"bench-{secrets.token_hex(4)}@example.org"
        password = secrets.token_urlsafe(18)
        user_id = await accounts.create_user(db, email, password, Role.organiser, "Bench")
        organiser = Staff(user_id, Role.organiser, email, "Bench")
        drafts = [
            GroupDraft(f"Table {n}", f"What should we change first? ({n})")
            for n in range(1, groups + 1)
        ]
        ids = []
        for start in range(0, groups, MAX_GROUPS):
            part = drafts[start : start + MAX_GROUPS]
            ids.append(
                await workshops.create_workshop(db, organiser, "Benchmark", "2026-11-27", "", part)
            )
        views = [
            db.read_sync(functools.partial(workshop_views.workshop_view, workshop_id=w))
            for w in ids
        ]
        items = await _plenary(db, organiser, ids[0], finals) if finals else []
    finally:
        db.close()
    return {
        "database_url": database_url,
        # A throwaway account of this benchmark database (bench/load.py --assist logs in).
        "organiser": {"email": email, "password": password},
        "workshop_ids": [v.id for v in views],
        "groups": [{"id": g.id, "code": g.code} for v in views for g in v.groups],
        "plenary": {"workshop_id": ids[0], "items": items} if finals else None,
    }


def create(
    data_dir: Path | None, groups: int, database_url: str = "", finals: int = 0
) -> dict[str, Any]:
    """Migrate the database (database_url, or SQLite in data_dir) and add one workshop of
    `groups` groups (with `finals`, an open plenary vote on that many final ones)."""
    if not 1 <= groups <= MAX_TOTAL:
        raise ValueError(f"groups must be 1..{MAX_TOTAL}")
    if not database_url:
        # Ignore FACILITATOR_* of the caller: the data directory alone decides.
        database_url = Settings.from_env({}, data_dir=data_dir).database_url
    migrate.upgrade(database_url)
    return asyncio.run(_create(database_url, groups, finals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--data-dir", type=Path, help="a new SQLite database in this folder")
    where.add_argument("--database-url", help="an empty database, e.g. on PostgreSQL")
    parser.add_argument("--groups", type=int, required=True)
    parser.add_argument("--plenary", type=int, default=0, help="open a vote on N finals")
    args = parser.parse_args()
    print(json.dumps(create(args.data_dir, args.groups, args.database_url or "", args.plenary)))


if __name__ == "__main__":
    main()
