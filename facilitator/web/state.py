"""The services one app holds, passed explicitly (nothing global)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from facilitator.config import Settings
from facilitator.domain.accounts import SessionPolicy
from facilitator.hub import Hub
from facilitator.store.database import Database
from facilitator.throttle import Throttle
from facilitator.web.templating import Templates

if TYPE_CHECKING:
    from facilitator.live.rooms import Rooms


@dataclass
class Services:
    settings: Settings
    db: Database
    hub: Hub
    templates: Templates
    rooms: Rooms
    throttle: Throttle

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=dt.timedelta(hours=self.settings.session_idle_hours),
            absolute=dt.timedelta(days=self.settings.session_max_days),
        )


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services  # type: ignore[no-any-return]
