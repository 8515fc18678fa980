"""Running a demo group on as its facilitator would: tidying the board, sorting ideas into
the written themes, phones placing dots as real Pol.is voters did, and recommendations
written from the themes the room chose."""

from __future__ import annotations

from facilitator.demo import polis
from facilitator.demo.model import DemoGroup
from facilitator.domain import clusters, moderation, phases, recommendations, votes
from facilitator.domain.actors import Participant as Phone
from facilitator.domain.actors import Staff
from facilitator.domain.clusters import Suggestion
from facilitator.group_settings import DEFAULTS
from facilitator.models import Phase
from facilitator.store.database import Database

# How far some groups have got, so the demo shows every phase: group number -> phase.
PROGRESS = {2: Phase.cluster, 3: Phase.vote, 4: Phase.recommend}
STILL_TO_VOTE = 4  # a group still voting: its last phones have not voted yet
STATEMENTS = 6  # Pol.is statements per group, one per theme (a group has at most six)
VOTERS = 20  # real voters per group


def original(content: DemoGroup, number: int) -> int:
    """The earlier idea that idea `number` repeats."""
    start = content.ideas[number].repeats
    return next(n for n, i in enumerate(content.ideas[:number]) if i.text.startswith(start))


async def tidy(db: Database, staff: Staff, ideas: list[int], content: DemoGroup) -> None:
    """What a facilitator does while ideas come in: merge repeats, hide what is off topic."""
    for number, idea in enumerate(content.ideas):
        if idea.repeats:
            target = ideas[original(content, number)]
            await moderation.merge_ideas(db, staff, ideas[number], target)
        elif idea.hidden:
            await moderation.hide_idea(db, staff, ideas[number], idea.hidden)


async def run_on(
    db: Database,
    staff: Staff,
    group_id: int,
    number: int,
    ideas: list[int],
    phones: list[Phone],
    content: DemoGroup,
) -> None:
    """Take group `number` (1, 2, ...) to its phase in `PROGRESS`, if it has one."""
    phase = PROGRESS.get(number)
    if phase is None or not content.themes:
        return
    await phases.set_phase(db, staff, group_id, Phase.cluster)
    placed = [
        Suggestion(theme, [ideas[n] for n, i in enumerate(content.ideas) if i.theme == theme])
        for theme in content.themes
    ]
    themes = await clusters.apply_suggestions(db, staff, group_id, placed)
    if phase is Phase.cluster:
        return
    await phases.set_phase(db, staff, group_id, Phase.vote)
    voting = phones if phase is not Phase.vote else phones[:-STILL_TO_VOTE]
    tally = [0] * len(themes)
    first = STATEMENTS * (number - 2)
    statements = [first + n for n in range(len(themes))]
    for n, phone in enumerate(voting):
        pattern = polis.patterns()[(VOTERS * (number - 2) + n) % len(polis.patterns())]
        for item in polis.dots(pattern, statements, DEFAULTS.vote_budget, DEFAULTS.vote_cap):
            await votes.cast_vote(db, phone, group_id, "cluster", themes[item])
            tally[item] += 1
    if phase is Phase.vote:
        return
    await phases.reveal(db, staff, group_id, "votes", True)
    await phases.set_phase(db, staff, group_id, Phase.recommend)
    # The room's two favourite themes become recommendations; the first is agreed already.
    ranked = sorted(range(len(themes)), key=lambda n: -tally[n])
    for place, item in enumerate(ranked[:2]):
        written = next(r for r in content.recommendations if r.theme == content.themes[item])
        draft = recommendations.check_draft(written.title, written.text, written.rationale)
        rec_id = await recommendations.promote(db, staff, group_id, "cluster", themes[item], draft)
        if place == 0:
            await recommendations.set_agreed(db, staff, rec_id, True)
