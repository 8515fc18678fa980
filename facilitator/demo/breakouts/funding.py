"""Breakout 1: what the next strategy should fund abroad (still collecting ideas)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, idea

MULTI_YEAR = "Multi-year funding"
BASICS = "Basics before flagships"
OWNERSHIP = "Partner ownership"
COORDINATION = "Regional coordination"
EVIDENCE = "Measuring what works"
BEYOND = "Beyond government"

# Typos, near-duplicates and terse entries are deliberate: they give the facilitator
# something to merge and tidy during a demo.
GROUP = DemoGroup(
    name="Funding priorities abroad",
    prompt="What should the next national cyber strategy fund abroad?",
    description=(
        "Think about the next five years of international cyber programmes: where does "
        "capacity-building money do the most good, and what should we stop funding?"
    ),
    themes=(MULTI_YEAR, BASICS, OWNERSHIP, COORDINATION, EVIDENCE, BEYOND),
    silent=3,
    ideas=(
        idea(41, "Amara Okafor",
             "Multi-year funding. Three to five year programmes, not 12-month projects that "
             "end just as the partner team is trained.", MULTI_YEAR),
        idea(39, None, "Longer funding cycles - annual grants kill continuity", MULTI_YEAR),
        idea(37, "Tomás Rivera",
             "Fund the boring basics: asset inventories, patching and offline backups for "
             "government ministries. Not everything needs to be a flagship centre with a "
             "ribbon to cut.", BASICS),
        idea(35, None,
             "Regional hubs rather than forty bilateral projects that don't talk to each other",
             COORDINATION),
        idea(33, "Siosaia Taufa",
             "Small island states get left out because we can't absorb big grants. Fund shared "
             "services for the Pacific: one regional CERT, shared SOC tooling, shared legal "
             "drafting support.", COORDINATION),
        idea(30, "Priya Raman",
             "Start every partnership with a national maturity assessment (the Oxford CMM or "
             "similar) so funding follows the country's own gaps instead of donor guesswork.",
             OWNERSHIP),
        idea(28, None, "Stop funding one-off conferences and study tours", EVIDENCE),
        idea(25, "Kwame Mensah",
             "Co-funding with the partner goverment, even a small share. When the ministry has "
             "its own budget line the project survives the next election.", OWNERSHIP),
        idea(22, "Olena Kovalenko",
             "Keep funding exchanges on wartime lessons learned. Ukraine's experience of "
             "defending networks under sustained attack is useful to every delegation in this "
             "room.", BEYOND),
        idea(18, None,
             "Coordinate with other donors through the GFCE so we're not the third country "
             "funding the same CERT training in the same month", COORDINATION),
        idea(14, "Daniel Hughes",
             "A small rapid-response fund for partners hit by a major incident. Today help "
             "arrives six months later, when the window has closed.", BASICS),
        idea(11, None, "multi year funding!!", MULTI_YEAR, repeats="Multi-year funding. Three"),
        idea(7, "Mei Lin Tan",
             "Budget for evaluation. We count outputs (people trained, workshops held) but "
             "almost never measure outcomes two years later.", EVIDENCE),
        idea(3, "Fatima Al-Hassan",
             "Fund civil society and academia too, not only government-to-government work. "
             "They hold the institutional memory when officials rotate.", BEYOND),
    ),
)  # fmt: skip
