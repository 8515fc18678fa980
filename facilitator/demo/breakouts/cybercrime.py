"""Breakout 5: cross-border cooperation on cybercrime (still collecting ideas)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, idea

EVIDENCE = "Faster evidence"
COURTS = "Courts and e-evidence"
LAWS = "Laws with safeguards"
TOGETHER = "Joint investigations"
VICTIMS = "Victims first"

GROUP = DemoGroup(
    name="Cybercrime and law enforcement",
    prompt=(
        "What would make cross-border cooperation on cybercrime work in practice, from "
        "legislation to prosecution?"
    ),
    description=(
        "Consider cybercrime laws and their human rights safeguards, electronic evidence, "
        "mutual legal assistance, the Budapest Convention and the new UN convention, and "
        "training for police, prosecutors and judges."
    ),
    themes=(EVIDENCE, COURTS, LAWS, TOGETHER, VICTIMS),
    silent=2,
    ideas=(
        idea(38, "Dilnoza Yusupova",
             "Mutual legal assistance requests take a year or more in practice. By then the "
             "logs are gone. Fund the fast channels for preserving data, like the 24/7 points "
             "of contact.", EVIDENCE),
        idea(35, None,
             "Train judges and prosecutors, not only police. Cases collapse in court because "
             "nobody understands the electronic evidence.", COURTS),
        idea(32, "Emeka Nwosu",
             "Any cybercrime law we help draft must have human rights safeguards built in. We "
             "have seen 'cybercrime' laws used against journalists and activists.", LAWS),
        idea(29, None, "Digital forensics labs WITH maintenance budgets and accreditation",
             COURTS),
        idea(26, "Sofía Herrera",
             "Help countries that want to join the Budapest Convention with legislative "
             "drafting. The gap analysis is the easy part; getting a bill through parliament "
             "is the hard part.", LAWS),
        idea(22, None,
             "Judges need training too - e-evidence gets thrown out bc no one understands it",
             COURTS, repeats="Train judges and prosecutors"),
        idea(18, "Thabo Dlamini",
             "Joint investigation teams for romance scams and business email compromise: "
             "victims in one country, money mules in another, organisers in a third.",
             TOGETHER),
        idea(14, "Kristjan Tamm",
             "Victim reporting. Most people don't know where to report online fraud. One "
             "national reporting portal, with feedback to the victim on what happened next.",
             VICTIMS),
        idea(9, None,
             "Relationships between investigators across borders matter more than treaties. "
             "Fund exchanges and joint training.", TOGETHER),
        idea(5, "Emeka Nwosu",
             "Cooperation with platforms and crypto exchanges. Partner police often don't know "
             "how to make a valid data request to a provider based overseas.", EVIDENCE),
        idea(1, None,
             "Scam compounds are human trafficking AND cybercrime. need a joined up response, "
             "not two separate programmes", TOGETHER),
    ),
)  # fmt: skip
