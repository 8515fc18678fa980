"""The kinds of the report-back gallery (issue #23): opened, closed, a phone's +1."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.i18n import N_
from facilitator.vocabulary.board import RecommendationChanged
from facilitator.vocabulary.kinds import Audience, Follow, _kind, quote


@dataclass(frozen=True, slots=True)
class GalleryChanged:
    open: bool

    def describe(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class PlusChanged:
    recommendation: int
    title: str
    count: int  # the recommendation's +1s after this change
    given: bool  # a +1 given, or taken back
    participant: int  # whose: their phone marks its own button (never shown to others)

    def describe(self) -> str:
        return quote(self.title)


# Recorded on the workshop's channel (the gallery's pages) and, opened or closed, on every
# group's too: phones there show or drop the link to the gallery.
GALLERY_AUDIENCES = frozenset({Audience.participant, Audience.projector})
GALLERY_OPENED = _kind(
    "gallery.opened", GalleryChanged, N_("opened the gallery"), Follow.board, GALLERY_AUDIENCES
)
GALLERY_CLOSED = _kind(
    "gallery.closed", GalleryChanged, N_("closed the gallery"), Follow.board, GALLERY_AUDIENCES
)
GALLERY_PLUS = _kind(
    "gallery.plus",
    PlusChanged,
    N_("gave or took back a +1 in the gallery"),
    Follow.plus,
    GALLERY_AUDIENCES,
)
# A group's recommendation agreed, taken back, edited, moved or deleted while the gallery is
# open: the gallery's pages show it at once, as a reload would.
GALLERY_CHANGED = _kind(
    "gallery.changed",
    RecommendationChanged,
    N_("changed a recommendation shown in the gallery"),
    Follow.board,
    GALLERY_AUDIENCES,
)
