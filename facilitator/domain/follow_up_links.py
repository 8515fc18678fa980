"""Personal follow-up links: weeks after the event, each asks the follow-up questions again.

The organiser makes a batch of links to send (one a person). The first device to open a link
keeps it; the same device may come back to change its answers while the moment is open, and
any other device is refused. A device that took part in the event is the same participant
again, so its follow-up answers pair with its baseline.
"""

from __future__ import annotations

from sqlmodel import Session, select

from facilitator import security
from facilitator.domain.access import get_row, require_organiser
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.participants import find_participant
from facilitator.i18n import N_
from facilitator.models import FollowUpLink
from facilitator.models import Participant as ParticipantRow
from facilitator.store.jobs import write_job

MAX_LINKS = 1000  # in one batch
USED = N_("This follow-up link was already used on another device. Each is for one person.")


@write_job
def make_links(s: Session, actor: Actor, workshop_id: int, count: object) -> list[str]:
    """`count` new personal links (their tokens, shown once)."""
    require_organiser(s, actor, workshop_id)
    try:
        n = int(str(count))
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_LINKS:
        raise Invalid(N_("Make between 1 and {max} links at a time."), max=MAX_LINKS)
    tokens = [security.new_token() for _ in range(n)]
    for token in tokens:
        s.add(FollowUpLink(workshop_id=workshop_id, token_hash=security.token_hash(token)))
    return tokens


@write_job
def open_link(s: Session, token: str, device_hash: str) -> Participant:
    """The participant a follow-up link answers as, binding the link to this device the
    first time; another device is refused."""
    link = s.exec(
        select(FollowUpLink).where(FollowUpLink.token_hash == security.token_hash(token))
    ).first()
    if link is None:
        raise NotFound(N_("This follow-up link is not right. Please check the address."))
    link = get_row(s, FollowUpLink, link.id or 0, lock=True) or link
    who = find_participant(s, device_hash, link.workshop_id)
    if link.participant_id is not None and (who is None or who.id != link.participant_id):
        raise Conflict(USED)
    if who is None:
        row = ParticipantRow(workshop_id=link.workshop_id, device_hash=device_hash)
        s.add(row)
        s.flush()
        assert row.id is not None
        who = Participant(row.id, row.workshop_id, None, "")
    link.participant_id = who.id
    s.add(link)
    return who
