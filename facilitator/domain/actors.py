"""Who is acting: a participant's device, or a staff user."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.models import Role


@dataclass(frozen=True)
class Participant:
    id: int
    workshop_id: int
    group_id: int | None
    display_name: str = ""

    @property
    def ref(self) -> str:
        return f"participant:{self.id}"


@dataclass(frozen=True)
class Staff:
    id: int
    role: Role
    email: str
    name: str = ""

    @property
    def ref(self) -> str:
        return f"user:{self.id}"

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.organiser


Actor = Participant | Staff
