"""The demo workshop: a conference that looks like it is in progress.

Six breakout groups are written by hand (`demo/breakouts/`); a seventh holds real comments
from a public Pol.is conversation (`demo/polis.py`).
"""

from __future__ import annotations

from facilitator.demo import polis
from facilitator.demo.breakouts import (
    cybercrime,
    funding,
    incident_response,
    inclusion,
    infrastructure,
    skills,
)
from facilitator.demo.model import DemoWorkshop

TITLE = "International Cyber Security Capacity Building Conference"

DESCRIPTION = (
    "A one-day conference at Lancaster House, London, bringing together government, "
    "industry, civil society and academic delegations from partner countries to advise on "
    "what the next national cyber strategy should fund abroad. Each breakout group takes one "
    "question, from skills pipelines and CERT maturity to critical infrastructure, cybercrime "
    "cooperation and inclusion, and brings up to three recommendations back to the closing "
    "plenary."
)


def demo_workshop() -> DemoWorkshop:
    """The demo workshop: six written breakout groups plus one of real Pol.is comments."""
    written = (
        funding.GROUP,
        skills.GROUP,
        incident_response.GROUP,
        infrastructure.GROUP,
        cybercrime.GROUP,
        inclusion.GROUP,
    )
    return DemoWorkshop(title=TITLE, description=DESCRIPTION, groups=(*written, polis.group()))
