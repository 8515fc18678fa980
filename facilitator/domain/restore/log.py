"""The archive's event log, written afresh on this instance's channels, and who did what in
it: imported participants, or placeholders, never a local account."""

from __future__ import annotations

import secrets

import orjson
from sqlmodel import Session

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.i18n import N_
from facilitator.models import Channel, Event
from facilitator.snapshot import Snapshot
from facilitator.store import events
from facilitator.vocabulary import RENAMED

IMPORTED = "imported:"


def write(
    s: Session, snap: Snapshot, workshop_id: int, group_ids: dict[int, int], people: dict[int, int]
) -> None:
    """Every event of the file, on the new workshop's and groups' channels (every channel
    is made, with or without events)."""
    channels = {"workshop": events.workshop_channel(workshop_id)}
    for old, new in group_ids.items():
        channels[events.group_channel(old)] = events.group_channel(new)
        channels[events.ballot_channel(old)] = events.ballot_channel(new)
    heads = dict.fromkeys(channels.values(), 0)
    # Each channel's log is numbered afresh, 1, 2, 3 ... in the file's order of seq: the
    # file's own numbers may be anything (2**63 - 1 would leave no room after it).
    ordered = sorted(enumerate(snap.events), key=lambda ne: (ne[1].channel, ne[1].seq, ne[0]))
    for n, e in ordered:
        at = f"events[{n}]"
        if e.channel not in channels:
            message = i18n.gettext(N_("This names {ident}, which is not in the file."))
            raise rules.BadArchive(f"{at}.channel", message.format(ident=e.channel[:40]))
        name = channels[e.channel]
        heads[name] += 1
        payload = orjson.dumps(e.payload).decode()
        rules.number(len(payload), f"{at}.payload", 0, rules.MAX_PAYLOAD)
        s.add(
            Event(
                channel=name,
                seq=heads[name],
                # An archive from before the rename has final.* kinds.
                kind=RENAMED.get(
                    e.kind, rules.text(e.kind, f"{at}.kind", limit=40, multiline=False)
                ),
                payload=payload,
                actor=actor(e.actor, people),
                at=e.at,
            )
        )
    for name, seq in heads.items():
        # A new epoch: no phone holds a position in this copy's log.
        s.add(Channel(name=name, seq=seq, epoch=secrets.token_hex(4)))


def actor(ref: str, people: dict[int, int]) -> str:
    """Who did something, in this copy's log: an imported participant, or a placeholder
    that keeps the file's words. Never a local account: the audit trail must not show
    someone of this instance doing what they never did."""
    kind, _, ident = ref.partition(":")
    if kind == "participant" and ident.isdigit() and int(ident) in people:
        return f"participant:{people[int(ident)]}"
    label = clean_label(ref)
    return (label if label.startswith(IMPORTED) else IMPORTED + label)[:40]


def clean_label(ref: str) -> str:
    """The file's words for an actor, without control characters, as one short line."""
    return "".join(ch for ch in ref[:80] if ch.isprintable())
