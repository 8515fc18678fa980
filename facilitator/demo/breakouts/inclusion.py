"""Breakout 6: inclusion in cyber careers (just started: three ideas, phones still joining)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, idea

GROUP = DemoGroup(
    name="Inclusion in cyber careers",
    prompt=(
        "How do we get more women and under-represented groups into cyber careers in partner "
        "countries, and keep them there?"
    ),
    description=(
        "Think about the whole journey: schools, universities, hiring, workplace culture and "
        "progression to senior roles, and about disability, rural and low-income candidates "
        "as well as gender."
    ),
    silent=5,
    ideas=(
        idea(4, "Aiko Tanaka",
             "Visible role models. Most girls in our schools have never met a woman who works "
             "in cyber security."),
        idea(2, None,
             "Scholarships should come with childcare support, or they miss the women "
             "returning to study who need them most"),
        idea(0, "Mariam Diallo",
             "Set a target for every course we fund: at least 40% women participants, and "
             "report on it."),
    ),
)  # fmt: skip
