"""Create a benchmark workshop in a data directory and print its groups as JSON.

    python -m bench.setup --data-dir /tmp/bench-app --groups 125

It goes through the package's own domain functions (migrations, create_user, create_workshop),
so the benchmark database is exactly what `facilitator serve` would see in production.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from pathlib import Path
from typing import Any

from facilitator import migrate
from facilitator.config import Settings
from facilitator.db import Database
from facilitator.domain import accounts, workshops
from facilitator.domain.actors import Staff
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role

MAX_GROUPS = 200  # what create_workshop accepts; 8,000 phones at 40 a group


async def _create(database_url: str, groups: int) -> dict[str, Any]:
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
        workshop_id = await workshops.create_workshop(
            db, organiser, "Benchmark", "2026-11-27", "", drafts
        )
        view = db.read_sync(lambda s: workshops.workshop_view(s, workshop_id))
    finally:
        db.close()
    return {
        "database_url": database_url,
        "workshop_id": view.id,
        "groups": [{"id": g.id, "code": g.code} for g in view.groups],
    }


def create(data_dir: Path, groups: int) -> dict[str, Any]:
    """A fresh migrated database in data_dir with one workshop of `groups` groups."""
    if not 1 <= groups <= MAX_GROUPS:
        raise ValueError(f"groups must be 1..{MAX_GROUPS}")
    settings = Settings.from_env({}, data_dir=data_dir)  # ignore FACILITATOR_* of the caller
    migrate.upgrade(settings.database_url)
    return asyncio.run(_create(settings.database_url, groups))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--groups", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps(create(args.data_dir, args.groups)))


if __name__ == "__main__":
    main()
