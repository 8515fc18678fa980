"""Breakout 3: helping national CERTs mature (voting, with some phones still to vote)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, idea

MANDATE = "Mandate and basics"
PEERS = "Peer support"
EXERCISES = "Joint exercises"
TOOLS = "Tools teams can run"
SHARING = "Sharing lessons"

GROUP = DemoGroup(
    name="Incident response and CERT maturity",
    prompt=(
        "What would most help national CERTs in partner countries move from firefighting to "
        "mature incident response?"
    ),
    description=(
        "Many national CERTs are only a few years old. Consider people, processes, tools, "
        "legal mandate and international ties such as FIRST membership and maturity models "
        "like SIM3."
    ),
    themes=(MANDATE, PEERS, EXERCISES, TOOLS, SHARING),
    silent=4,
    ideas=(
        idea(42, "Hamid Nouri",
             "A clear legal mandate. Half the CERTs in our region can't require anyone to "
             "report an incident, so they hear about it from the press.", MANDATE),
        idea(40, None,
             "Peer review against SIM3 with a mentor CERT, then a funded plan for the gaps. "
             "Better than an assessment report nobody reads.", PEERS),
        idea(37, "Ingrid Solberg",
             "Sponsor FIRST membership and travel for the first few years. During a real "
             "incident the relationships matter more than the tools.", PEERS),
        idea(34, None, "Tabletop exercises with banks, telcos and energy together", EXERCISES),
        idea(31, "Chen Wei",
             "Stop donating expensive SIEM licences that expire after one year. Give "
             "open-source stacks the team can actually run and maintain.", TOOLS),
        idea(29, None, "dont donate tools that expire after a year", TOOLS,
             repeats="Stop donating expensive SIEM"),
        idea(26, "Ayesha Siddiqui",
             "Basics first: a 24/7 on-call rota, a ticketing system, a public contact point and "
             "a PGP key that works.", MANDATE),
        idea(24, None, "Will the slides from the morning keynote be shared?",
             hidden="A question for the organisers, passed on to them"),
        idea(22, "Kofi Asante",
             "Regional exercises where neighbouring CERTs handle a simulated cross-border "
             "incident in real time, with the actual people who would call each other.",
             EXERCISES),
        idea(19, None,
             "Threat intel sharing is one-way today. Partners send indicators and get nothing "
             "back. Make it reciprocal or the trust goes.", SHARING),
        idea(15, "Marta Nowak",
             "A sector CERT for health. Hospitals are hit by ransomware all the time and the "
             "national CERT can't cover them as well as everything else.", MANDATE),
        idea(10, None, "Exercises, exercises, exercises", EXERCISES),
        idea(6, "Ingrid Solberg",
             "Write up every major incident and share anonymised case studies across the "
             "region. The same mistakes repeat from country to country.", SHARING),
        idea(2, None,
             "Secondments in both directions. Our analysts learn as much from partner teams as "
             "they learn from us.", PEERS),
    ),
)  # fmt: skip
